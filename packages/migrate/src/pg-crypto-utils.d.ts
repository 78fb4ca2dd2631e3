/** pg's crypto helpers (CommonJS, untyped); its SASL code calls them through this object. */
declare module 'pg/lib/crypto/utils' {
  const utils: Record<string, unknown>;
  export default utils;
}
