// A stub of ampel-worker: polls for jobs and listens on no port (the worker has no public service).
const every = Number(process.env.POLL_INTERVAL_MS ?? 5_000);
setInterval(() => console.log(`ampel-worker: polled for jobs at ${new Date().toISOString()}`), every);
