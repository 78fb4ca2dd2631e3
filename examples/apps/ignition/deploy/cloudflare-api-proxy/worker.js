export default { fetch: () => fetch('https://ignition-api.fly.dev') };
