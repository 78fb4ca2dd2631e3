// The request loop of the parser process (see src/parser-process.ts). scripts/embed-parser.ts
// places it after libpg-query's Emscripten loader, which defines `PgQueryModule`; the parent
// puts `PARSER_WASM_GZIP_BASE64` first. Keep parse() in step with parseInProcess in src/parser.ts.
(() => {
  'use strict';
  const bytes = require('node:zlib').gunzipSync(Buffer.from(PARSER_WASM_GZIP_BASE64, 'base64'));
  const ready = PgQueryModule({
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(bytes, imports).then((result) => receive(result.instance));
      return {};
    },
  });

  function parse(wasm, sql) {
    const size = wasm.lengthBytesUTF8(sql) + 1;
    const input = wasm._malloc(size);
    let result = 0;
    try {
      wasm.stringToUTF8(sql, input, size);
      result = wasm._wasm_parse_query_raw(input);
      if (!result) return { failure: 'PostgreSQL parser: out of memory' };
      // PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error; }
      const tree = wasm.getValue(result, 'i32');
      const error = wasm.getValue(result + 8, 'i32');
      if (error) {
        // PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos; }
        const messagePtr = wasm.getValue(error, 'i32');
        const cursor = wasm.getValue(error + 16, 'i32');
        const message = messagePtr ? wasm.UTF8ToString(messagePtr) : 'syntax error';
        return { error: { message, cursorPosition: cursor > 0 ? cursor - 1 : 0 } };
      }
      return { tree: tree ? wasm.UTF8ToString(tree) : '{}' };
    } finally {
      wasm._free(input);
      if (result) wasm._wasm_free_parse_result(result);
    }
  }

  // Listening at once: requests that arrive while the module loads wait for it. A message holds
  // the requests of one turn of the parent's event loop; each gets an answer of its own.
  process.on('message', ({ batch }) => {
    ready.then(
      (wasm) => {
        for (const request of batch) process.send({ id: request.id, ...parse(wasm, request.sql) });
      },
      (reason) => {
        for (const request of batch)
          process.send({ id: request.id, failure: `PostgreSQL parser did not load: ${reason}` });
      },
    );
  });
  // The parent ended (or let go of us): nothing is left to do.
  process.on('disconnect', () => process.exit(0));
})();
