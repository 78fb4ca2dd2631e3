/**
 * The log boundary: text from outside (flyctl and Docker build output, an app's answers,
 * deployment payloads, API errors, inputs) becomes log lines the runner prints and never
 * executes. The rules follow actions/runner (main, 2025):
 *
 * - The runner reads a step's stdout and stderr with StreamReader.ReadLine, which ends a
 *   line at `\n`, `\r` or `\r\n` (src/Runner.Sdk/ProcessInvoker.cs:513), so every one of
 *   them starts a new line that could be a command.
 * - `::cmd::` is a command when the line starts with `::` after String.TrimStart(), which
 *   trims all Unicode white space (src/Runner.Common/ActionCommand.cs:62, TryParseV2).
 *   StartsWith and IndexOf there are culture-sensitive, so characters ICU's collation
 *   ignores (control and format characters, zero-width ones) in front of `::` do not
 *   protect it either; they count as "leading" here.
 * - `##[cmd]` is a command wherever `##[` appears in the line (ActionCommand.cs:132,
 *   TryParse); ActionCommandManager.cs:70 tries both forms on every line.
 *
 * A command line is shown with a backslash in front of its `::`, and `##[` becomes `##[\`,
 * the escape the runner itself uses for its own markers in user output
 * (src/Runner.Worker/Handlers/OutputManager.cs:97). Both are visible, so the log shows that
 * the text was changed, and neither parses as a command name.
 */

/** What TrimStart removes, plus what a culture-sensitive StartsWith ignores. */
const LEADING = /^[\s\u0085\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]*/u;
/** `##[` with ignorable characters inside (a culture-sensitive IndexOf finds those too), not yet escaped. */
const LEGACY =
  /#[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]*#[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]*\[(?!\\)/gu;
/** The line ends the runner's ReadLine knows. */
const LINE_END = /\r\n|\r|\n/;

/** One line (no line ends in it) that the runner will print as it is, never run. */
export function neutralizeLine(line: string): string {
  let out = line.replace(LEGACY, '##[\\');
  const leading = LEADING.exec(out)?.[0].length ?? 0;
  if (out.startsWith('::', leading)) out = `${out.slice(0, leading)}\\${out.slice(leading)}`;
  return out;
}

/** Text of any origin as the log lines it becomes, each one safe to print. */
export function logLines(text: string): string[] {
  return text.split(LINE_END).map(neutralizeLine);
}
