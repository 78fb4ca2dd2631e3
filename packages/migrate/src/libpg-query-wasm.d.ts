/** The Emscripten factory inside the libpg-query package (no types of its own). */
declare module 'libpg-query/wasm/libpg-query.js' {
  const factory: (options: {
    instantiateWasm: (imports: unknown, receive: (instance: unknown) => void) => Record<string, never>;
  }) => Promise<unknown>;
  export default factory;
}
