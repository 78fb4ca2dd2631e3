export const id = 552;
export const ids = [552];
export const modules = {

/***/ 7552:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  flyMachineGate: () => (/* binding */ flyMachineGate)
});

// UNUSED EXPORTS: machineGate

// EXTERNAL MODULE: ./packages/toolkit/src/index.ts + 12 modules
var src = __webpack_require__(4697);
;// CONCATENATED MODULE: ./packages/fly/src/env.ts

/** Token variables flyctl reads, in its own order of precedence. */
const TOKEN_VARS = ['FLY_ACCESS_TOKEN', 'FLY_API_TOKEN'];
/**
 * The environment flyctl runs with: the caller's, minus empty token variables
 * (an empty `FLY_ACCESS_TOKEN` would hide `FLY_API_TOKEN`), plus the token and the
 * switches that make its output predictable for a program.
 */
function flyEnv(base, token) {
    const env = { ...base };
    for (const name of TOKEN_VARS) {
        if (env[name] !== undefined && env[name]?.trim() === '')
            delete env[name];
    }
    if (token) {
        // The token we were given wins over any ambient one.
        delete env.FLY_ACCESS_TOKEN;
        env.FLY_API_TOKEN = token;
    }
    env.NO_COLOR = '1';
    env.FLY_NO_UPDATE_CHECK = '1';
    env.FLY_EMIT_RELEASE_JSON = '1';
    env.FLY_GHA_ERROR_ANNOTATION = '1';
    // Our own code parses JSON per command; an ambient FLY_JSON would change table output too.
    delete env.FLY_JSON;
    return env;
}
/** The token to use: the input when given, else FLY_API_TOKEN / FLY_ACCESS_TOKEN from the environment. */
function resolveToken(inputToken, env = process.env) {
    const fromInput = inputToken?.trim();
    if (fromInput)
        return fromInput;
    for (const name of TOKEN_VARS) {
        const value = env[name]?.trim();
        if (value)
            return value;
    }
    return undefined;
}
/** The token, or a UserError naming the input and the variable to set. */
function requireToken(inputToken, env = process.env) {
    const token = resolveToken(inputToken, env);
    if (!token)
        throw noTokenError();
    return token;
}
/** The error for a missing token: which input and variable to set, and how to make a token. */
function noTokenError() {
    return new src/* UserError */.yo('No Fly API token: set the `fly-api-token` input or the FLY_API_TOKEN environment variable', {
        hint: 'Create one with `flyctl tokens create deploy` (or `flyctl tokens create org` to create and destroy apps).',
    });
}

;// CONCATENATED MODULE: ./packages/fly/src/errors.ts

/** Messages of failures that a later attempt can get past (platform busy, network blips). */
const TRANSIENT = [
    /failed to obtain lease/i,
    /lease currently held by/i,
    /did not acquire lease/i,
    /\b429\b/,
    /rate.?limit/i,
    /too many requests/i,
    /connection reset/i,
    /ECONNRESET/,
    /broken pipe/i,
    /\bEOF\b/,
    /timeout awaiting response headers|Client\.Timeout exceeded/i,
    /i\/o timeout/i,
    /\b50[234]\b.*(bad gateway|unavailable|gateway timeout)|(bad gateway|service unavailable|gateway timeout)/i,
    /temporary failure in name resolution/i,
];
/** flyctl's ways of saying the app does not exist. */
const APP_NOT_FOUND = /could not find app|could not be found|app not found/i;
/**
 * Messages that no retry can fix; checked first so "health checks timed out ... request canceled"
 * is never mistaken for a blip. (flyctl's own "Unrecoverable error:" prefix is not here: it wraps
 * lease conflicts, which do clear up.)
 */
const PERMANENT = [
    APP_NOT_FOUND,
    /unauthori[sz]ed|not authorized|no access token available|authentication required/i,
    /failed to fetch an image or build from source|could not find image|build failed|failed to build/i,
    /release command failed/i,
    /timeout reached waiting for health checks|health checks? (timed out|failed)/i,
    /smoke checks for .* failed/i,
    /invalid|not valid|unknown flag|unknown command/i,
];
/**
 * Decides whether a failed flyctl run is worth another attempt. Exit 127 (interrupted)
 * is never transient: we or the runner stopped it.
 */
function classifyFailure(message, exitCode) {
    if (exitCode === 127)
        return 'permanent';
    if (PERMANENT.some((re) => re.test(message)))
        return 'permanent';
    if (TRANSIENT.some((re) => re.test(message)))
        return 'transient';
    return 'permanent';
}
/**
 * flyctl's own error text: the `Error: ...` line and what follows it on stderr
 * (description, suggestion), without ANSI codes or our annotations.
 */
function errors_flyErrorMessage(stderr, stdout = '') {
    const clean = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');
    const lines = clean(stderr).split(/\r?\n/);
    const start = lines.findIndex((line) => line.startsWith('Error:'));
    if (start !== -1) {
        return lines
            .slice(start)
            .filter((line) => line.trim() !== '')
            .join('\n')
            .replace(/^Error:\s*/, '')
            .trim();
    }
    const annotation = clean(stdout)
        .split(/\r?\n/)
        .find((line) => line.startsWith('::error'));
    if (annotation)
        return annotation.replace(/^::error[^:]*::/, '').replace(/⏎/g, '\n');
    const tail = lines.filter((line) => line.trim() !== '').slice(-5);
    return tail.join('\n').trim();
}
/** A failed flyctl command, with flyctl's message kept for the summary. */
class errors_FlyError extends src/* UserError */.yo {
    name = 'FlyError';
    kind;
    /** flyctl's own message, for summaries. */
    flyMessage;
    exitCode;
    /** The flyctl subcommand, e.g. `deploy` or `secrets import`. */
    command;
    timedOut;
    constructor(options) {
        const why = options.timedOut ? 'did not finish in time' : `failed (exit ${options.exitCode ?? 'signal'})`;
        super(`flyctl ${options.command} ${why}: ${options.flyMessage || 'no error message'}`, { hint: options.hint });
        this.command = options.command;
        this.flyMessage = options.flyMessage;
        this.exitCode = options.exitCode;
        this.timedOut = options.timedOut ?? false;
        this.kind = options.kind ?? (this.timedOut ? 'permanent' : classifyFailure(options.flyMessage, options.exitCode));
    }
}
function errors_isTransient(error) {
    return error instanceof errors_FlyError && error.kind === 'transient';
}
/** True when flyctl says the app does not exist (idempotent teardown treats this as done). */
function errors_isAppNotFound(message) {
    return APP_NOT_FOUND.test(message);
}

;// CONCATENATED MODULE: ./packages/fly/src/client.ts



/** Flags whose value may be secret: shown as NAME=*** in anything we print about a command. */
const SECRET_VALUE_FLAGS = new Set(['--build-secret', '--build-arg', '--env', '-e']);
/** A command line for logs: values of secret-bearing flags replaced by `***`. */
function describeArgs(args) {
    const shown = [];
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        shown.push(arg);
        if (SECRET_VALUE_FLAGS.has(arg) && i + 1 < args.length) {
            const value = args[++i];
            const eq = value.indexOf('=');
            shown.push(eq === -1 ? '***' : `${value.slice(0, eq)}=***`);
        }
    }
    return `flyctl ${shown.join(' ')}`;
}
/**
 * What of flyctl's output may reach the job log. flyctl's own `::error` annotation is
 * dropped: callers report the failure themselves, with context, once (and an expected
 * "app not found" probe must not mark the job). Any other line that would be read as a
 * workflow command is indented, so flyctl's (or a build's) output can never issue one.
 */
function forLog(line) {
    if (line.startsWith('::error title=flyctl error::'))
        return undefined;
    return line.startsWith('::') ? ` ${line}` : line;
}
/** The subcommand words of an argv (`secrets import` from `secrets import --app x`). */
function commandName(args) {
    const words = [];
    for (const arg of args) {
        if (arg.startsWith('-') || words.length === 2)
            break;
        words.push(arg);
    }
    return words.join(' ');
}
/**
 * One flyctl, configured once: the token in its env, hygiene switches set, every
 * command under a hard timeout that kills flyctl's whole process group.
 */
class Fly {
    bin;
    env;
    options;
    constructor(options) {
        if (!options.token?.trim())
            throw noTokenError();
        (0,src/* registerSecret */.cl)(options.token);
        this.options = options;
        this.bin = options.bin ?? 'flyctl';
        this.env = flyEnv(options.env ?? process.env, options.token.trim());
    }
    /** Runs flyctl with `args`; throws FlyError (classified) when it fails, unless `allowFailure`. */
    async run(args, options = {}) {
        for (const arg of args) {
            if (arg.includes('\0'))
                throw new src/* UserError */.yo('A flyctl argument contains a NUL character');
        }
        const onLine = options.onLine ?? this.options.onLine;
        onLine?.((0,src/* redact */.E$)(`[command]${describeArgs(args)}`), 'stdout');
        const result = await (0,src/* runProcess */.R3)(this.bin, args, {
            env: this.env,
            cwd: options.cwd ?? this.options.cwd,
            input: options.input,
            timeoutMs: options.timeoutMs ?? this.options.timeoutMs ?? 120_000,
            onLine: onLine
                ? (line, stream) => {
                    if (stream === 'stdout' && options.quietStdout)
                        return;
                    const shown = forLog(line);
                    if (shown !== undefined)
                        onLine(shown, stream);
                }
                : undefined,
        });
        const failed = result.code !== 0 || result.timedOut;
        const run = {
            ...result,
            command: commandName(args),
            errorMessage: failed ? errors_flyErrorMessage(result.stderr, result.stdout) : '',
        };
        if (failed && !options.allowFailure)
            throw this.failure(run);
        return run;
    }
    /** Runs a `--json` command and parses its stdout with `schema`. */
    async json(args, schema, options = {}) {
        const run = await this.run(args, { quietStdout: true, ...options });
        let data;
        try {
            data = JSON.parse(run.stdout.trim() === '' ? 'null' : run.stdout);
        }
        catch {
            throw new errors_FlyError({
                command: run.command,
                exitCode: run.code,
                kind: 'permanent',
                flyMessage: `printed output that is not JSON: ${run.stdout.trim().slice(0, 200)}`,
            });
        }
        const parsed = schema.safeParse(data);
        if (!parsed.success) {
            const issue = parsed.error.issues[0];
            throw new errors_FlyError({
                command: run.command,
                exitCode: run.code,
                kind: 'permanent',
                flyMessage: `printed JSON of an unexpected shape (${issue?.path.join('.') || 'top level'}: ${issue?.message})`,
            });
        }
        return parsed.data;
    }
    /** The error for a failed run: flyctl's own message, classified transient or permanent. */
    failure(run) {
        return new errors_FlyError({
            command: run.command,
            flyMessage: run.timedOut ? run.errorMessage || 'killed after its timeout' : run.errorMessage,
            exitCode: run.code,
            timedOut: run.timedOut,
        });
    }
}

;// CONCATENATED MODULE: ./packages/fly/src/names.ts
/**
 * What flyctl accepts, checked before anything reaches its argv. Every check also
 * refuses a leading `-`, so no value can be read by flyctl as a flag.
 */
/** Fly app names: lower-case letters, digits and dashes, starting with a letter or digit, at most 63. */
const APP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Fly region codes (`iad`, `fra`, `syd`...). */
const names_REGION = /^[a-z]{3}$/;
/** Organization slugs. */
const names_ORG_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Environment-style names for `--env`, `--build-arg`, `--build-secret` and secrets. */
const names_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Image references: registry/repository[:tag][@digest], no spaces or leading dash. */
const names_IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/;
/** Docker tag rules: at most 128 of letters, digits, `_`, `.`, `-`, not starting with `.` or `-`. */
const names_IMAGE_LABEL = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const names_STRATEGIES = (/* unused pure expression or super */ null && (['rolling', 'canary', 'bluegreen', 'immediate']));
function isAppName(value) {
    return APP_NAME.test(value) && !value.endsWith('-');
}
/**
 * The preview app of a pull request: `pr-<number>-<repo>`, lower case, runs of other
 * characters folded into one `-`, cut to 63 characters without a trailing dash.
 * Deterministic, so every run for the same PR finds the same app.
 */
function names_previewAppName(prNumber, repository) {
    const repo = repository.includes('/') ? repository.slice(repository.indexOf('/') + 1) : repository;
    const slug = `pr-${prNumber}-${repo}`
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '');
    return slug.slice(0, 63).replace(/-+$/, '');
}
/**
 * An image label from a git ref: the tag name on tag refs, else `<branch>-<sha7>`,
 * folded into Docker's tag alphabet.
 */
function defaultImageLabel(ref, sha) {
    const sha7 = sha.slice(0, 7);
    let label;
    if (ref.startsWith('refs/tags/'))
        label = ref.slice('refs/tags/'.length);
    else {
        const branch = ref.replace(/^refs\/(heads|pull)\//, '');
        label = branch ? `${branch}-${sha7}` : sha7;
    }
    const clean = label
        .replace(/[^A-Za-z0-9_.-]+/g, '-')
        .replace(/^[.-]+/, '')
        .slice(0, 128);
    return clean === '' ? sha7 || 'deployment' : clean;
}
/** The tag of an image reference (`registry.fly.io/app:tag@sha256:...` -> `tag`), or ''. */
function names_imageTag(ref) {
    const noDigest = ref.split('@')[0];
    const lastSlash = noDigest.lastIndexOf('/');
    const colon = noDigest.indexOf(':', lastSlash + 1);
    return colon === -1 ? '' : noDigest.slice(colon + 1);
}

// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 17 modules
var schemas = __webpack_require__(8816);
;// CONCATENATED MODULE: ./packages/fly/src/schemas.ts

/**
 * Schemas for every JSON shape flyctl prints (reference: flyctl.md §1). Each is
 * loose: unknown fields pass, missing optional fields get defaults, so newer or
 * older flyctl releases still parse. Normalised types are what callers use.
 */
const str = schemas/* string */.YjP()
    .nullish()
    .transform((v) => v ?? '');
const num = schemas/* number */.aig()
    .nullish()
    .transform((v) => v ?? 0);
const bool = schemas/* boolean */.zMY()
    .nullish()
    .transform((v) => v ?? false);
// --- releases --json (PascalCase Go structs, newest first, at most 25) ---
const releaseSchema = schemas/* looseObject */._H3({
    ID: str,
    Version: num,
    Stable: bool,
    InProgress: bool,
    Reason: str,
    Description: str,
    Status: str,
    DeploymentStrategy: str,
    User: schemas/* looseObject */._H3({ ID: str, Name: str, Email: str }).nullish(),
    CreatedAt: str,
    ImageRef: str,
});
const schemas_releasesSchema = schemas/* array */.YOg(releaseSchema)
    .nullable()
    .transform((list) => (list ?? [])
    .map((r) => ({
    id: r.ID,
    version: r.Version,
    status: r.Status,
    stable: r.Stable,
    imageRef: r.ImageRef,
    description: r.Description,
    reason: r.Reason,
    createdAt: r.CreatedAt,
    userEmail: r.User?.Email ?? '',
}))
    .sort((a, b) => b.version - a.version));
/** The line flyctl prints after a successful deploy when FLY_EMIT_RELEASE_JSON is set. */
const schemas_releaseLineSchema = schemas/* looseObject */._H3({
    id: schemas/* string */.YjP(),
    version: schemas/* number */.aig(),
    image_ref: schemas/* string */.YjP().nullish(),
});
const secretCurrent = schemas/* looseObject */._H3({
    name: schemas/* string */.YjP(),
    digest: str,
    status: schemas/* string */.YjP().nullish(),
    created_at: schemas/* string */.YjP().nullish(),
    updated_at: schemas/* string */.YjP().nullish(),
});
const secretLegacy = schemas/* looseObject */._H3({ Name: schemas/* string */.YjP(), Digest: str, CreatedAt: schemas/* string */.YjP().nullish() });
const SECRET_STATUSES = ['Deployed', 'Staged', 'Partial', 'Unknown'];
const schemas_secretsSchema = schemas/* array */.YOg(schemas/* union */.KCZ([secretCurrent, secretLegacy]))
    .nullable()
    .transform((list) => (list ?? []).map((s) => {
    if (!('name' in s) || typeof s.name !== 'string') {
        const legacy = s;
        return { name: legacy.Name, digest: legacy.Digest, createdAt: legacy.CreatedAt ?? undefined };
    }
    const current = s;
    const status = current.status && SECRET_STATUSES.includes(current.status) ? current.status : undefined;
    return {
        name: current.name,
        digest: current.digest,
        status: current.status ? (status ?? 'Unknown') : undefined,
        createdAt: current.created_at ?? undefined,
        updatedAt: current.updated_at ?? undefined,
    };
}));
// --- machines (snake_case Machines API types) ---
const checkSchema = schemas/* looseObject */._H3({ name: str, status: str, output: str, updated_at: str });
const machineSchema = schemas/* looseObject */._H3({
    id: schemas/* string */.YjP(),
    name: str,
    state: str,
    region: str,
    image_ref: schemas/* looseObject */._H3({
        registry: str,
        repository: str,
        tag: str,
        digest: str,
        labels: schemas/* record */.g1P(schemas/* string */.YjP(), schemas/* string */.YjP()).nullish(),
    })
        .nullish(),
    instance_id: str,
    private_ip: str,
    created_at: str,
    updated_at: str,
    config: schemas/* looseObject */._H3({
        image: str,
        env: schemas/* record */.g1P(schemas/* string */.YjP(), schemas/* string */.YjP()).nullish(),
        metadata: schemas/* record */.g1P(schemas/* string */.YjP(), schemas/* string */.YjP()).nullish(),
    })
        .nullish(),
    checks: schemas/* array */.YOg(checkSchema)
        .nullish()
        .transform((v) => v ?? []),
    host_status: str,
    cordoned: bool,
});
const machinesSchema = schemas/* array */.YOg(machineSchema)
    .nullable()
    .transform((v) => v ?? []);
/** The release a machine runs (`config.metadata.fly_release_version`), if it says. */
function schemas_machineReleaseVersion(machine) {
    const raw = machine.config?.metadata?.fly_release_version;
    return raw && /^\d+$/.test(raw) ? Number(raw) : undefined;
}
/** The process group of a machine (`app`, `worker`...), or ''. */
function machineProcessGroup(machine) {
    return machine.config?.metadata?.fly_process_group ?? '';
}
/** The full image reference a machine runs. */
function machineImageRef(machine) {
    if (machine.config?.image)
        return machine.config.image;
    const ref = machine.image_ref;
    if (!ref?.repository)
        return '';
    return `${ref.registry ? `${ref.registry}/` : ''}${ref.repository}${ref.tag ? `:${ref.tag}` : ''}`;
}
// --- status --json (map with alphabetical PascalCase keys; Machines are snake_case) ---
const schemas_statusSchema = schemas/* looseObject */._H3({
    AppURL: str,
    Deployed: bool,
    Hostname: str,
    ID: str,
    Machines: schemas/* array */.YOg(machineSchema)
        .nullish()
        .transform((v) => v ?? []),
    Name: str,
    Organization: schemas/* looseObject */._H3({ ID: str, Slug: str, Name: str }).nullish(),
    PlatformVersion: str,
    Status: str,
    Version: num,
});
/**
 * The public URL of an app: flyctl's `AppURL` when it reports one (fly-sim reports
 * its loopback server there), else `https://<Hostname>`.
 */
function schemas_appUrl(status) {
    if (status.AppURL)
        return status.AppURL.endsWith('/') ? status.AppURL : `${status.AppURL}/`;
    return status.Hostname ? `https://${status.Hostname}/` : '';
}
// --- apps list --json ---
const schemas_appsSchema = schemas/* array */.YOg(schemas/* looseObject */._H3({
    ID: str,
    Name: str,
    Status: str,
    Deployed: bool,
    Hostname: str,
    AppURL: str,
    Organization: schemas/* looseObject */._H3({ Slug: str, Name: str }).nullish(),
}))
    .nullable()
    .transform((v) => v ?? []);
// --- image show --json (maps of strings; Labels is itself JSON text) ---
const schemas_imagesSchema = schemas/* union */.KCZ([
    schemas/* array */.YOg(schemas/* record */.g1P(schemas/* string */.YjP(), schemas/* string */.YjP())),
    schemas/* record */.g1P(schemas/* string */.YjP(), schemas/* string */.YjP()).transform((one) => [one]),
    schemas/* null */.chJ().transform(() => []),
])
    .transform((list) => list.map((m) => ({
    machineId: m.MachineID ?? '',
    registry: m.Registry ?? '',
    repository: m.Repository ?? '',
    tag: m.Tag ?? '',
    digest: m.Digest ?? '',
    version: m.Version ?? '',
    labels: parseLabels(m.Labels ?? ''),
})));
function parseLabels(text) {
    if (!text)
        return {};
    try {
        const value = JSON.parse(text);
        return value && typeof value === 'object' ? value : {};
    }
    catch {
        return {};
    }
}

;// CONCATENATED MODULE: ./packages/fly/src/secrets-import.ts


/**
 * Writes NAME=VALUE lines that `flyctl secrets import` reads back byte-exact.
 *
 * flyctl's parser (internal/command/secrets/parser.go; ported in packages/fly-sim's
 * import-parser.ts) reads stdin line by line with bufio.Scanner (a `\r` before `\n` is
 * dropped; a line of 64 KiB or more silently ends the read), left-trims the value, cuts it at
 * its first `#` when an even number of `"` precede that `#`, and only then takes `"""…"""` on
 * one line, or `"""` opening a value that ends at the next line ending in `"""`, or strips one
 * pair of surrounding `"` or `'`. So every value is written quoted, with the quote chosen to
 * make the count of `"` before the first `#` odd (no cut).
 */
/** bufio.Scanner's 64 KiB buffer holds a line and its newline: longer lines end flyctl's read. */
const MAX_IMPORT_LINE_BYTES = (/* unused pure expression or super */ null && (64 * 1024 - 1));
/** The number of `"` before the first `#`, or undefined without a `#`. */
function quotesBeforeHash(text) {
    const hash = text.indexOf('#');
    if (hash === -1)
        return undefined;
    return text.slice(0, hash).split('"').length - 1;
}
/** Why a value cannot be written for flyctl's parser, or undefined when it can. */
function unrepresentable(value) {
    // Written as UTF-8, a lone surrogate would arrive as U+FFFD: not the value.
    if (/\p{Cs}/u.test(value))
        return 'it is not valid Unicode text (an unpaired surrogate)';
    if (!value.includes('\n'))
        return undefined;
    const lines = value.split('\n');
    const inner = lines.slice(0, -1);
    // The scanner drops a `\r` before each `\n`.
    if (inner.some((l) => l.endsWith('\r')))
        return 'it has a line ending in a carriage return';
    // The opening `"""` adds three `"`: only an even count before the first line's `#` keeps the total odd.
    const q = quotesBeforeHash(lines[0]);
    if (q !== undefined && q % 2 === 1)
        return 'its first line has an odd number of `"` before a `#`';
    // A line ending in `"""` closes the value (the first one would even read as a one-line value).
    if (inner.some((l) => l.endsWith('"""')))
        return 'a line other than the last ends in `"""`';
    return undefined;
}
/** One secret as `secrets import` input (one or more lines, without the final newline). */
function encodeImportEntry(name, value) {
    if (!ENV_NAME.test(name))
        throw new UserError(`Invalid secret name ${JSON.stringify(name)}`);
    const problem = unrepresentable(value);
    if (problem) {
        throw new UserError(`Secret ${name} cannot be passed to flyctl secrets import: ${problem}.`);
    }
    let text;
    if (value.includes('\n')) {
        // `"""` opens, the last line closes; inner lines are taken verbatim.
        text = `${name}="""${value}"""`;
    }
    else if ((quotesBeforeHash(value) ?? 0) % 2 === 1) {
        // An odd count of `"` before the `#`, and `'` adds none: still odd, no cut.
        text = `${name}='${value}'`;
    }
    else {
        // An even count plus the opening `"` (or `"""`) is odd: no cut. `"v"` must not start with
        // `"""` (v starting `""`, or v being `"`): that would open a multi-line value.
        const quoted = `"${value}"`;
        text = quoted.startsWith('"""') ? `${name}="""${value}"""` : `${name}=${quoted}`;
    }
    for (const line of text.split('\n')) {
        if (Buffer.byteLength(line, 'utf8') > MAX_IMPORT_LINE_BYTES) {
            throw new UserError(`Secret ${name} has a line longer than flyctl secrets import reads (64 KiB).`);
        }
    }
    return text;
}
/**
 * The whole stdin for one `flyctl secrets import`. Throws UserError naming the first secret
 * (never its value) that flyctl could not read back exactly, before anything is written.
 */
function secrets_import_encodeImport(entries) {
    const out = [];
    for (const [name, value] of entries)
        out.push(encodeImportEntry(name, value));
    return `${out.join('\n')}\n`;
}

;// CONCATENATED MODULE: ./packages/fly/src/commands.ts





/** Refuses anything flyctl could read as a flag or that is not a valid app name. */
function commands_assertAppName(app, what = 'app name') {
    if (!isAppName(app)) {
        throw new src/* UserError */.yo(`Invalid ${what} ${JSON.stringify(app)}: expected lower-case letters, digits and dashes (at most 63, not starting or ending with "-")`);
    }
}
/** Refuses a value that flyctl would parse as a flag. */
function commands_assertNotFlag(value, what) {
    if (value.startsWith('-'))
        throw new UserError(`Invalid ${what} ${JSON.stringify(value)}: it must not start with "-"`);
}
/** `flyctl status --json`. */
function commands_getStatus(fly, app, options) {
    commands_assertAppName(app);
    return fly.json(['status', '--app', app, '--json'], statusSchema, options);
}
/** `flyctl machines list --json`: every machine, including release_command and console ones. */
function listMachines(fly, app, options) {
    commands_assertAppName(app);
    return fly.json(['machines', 'list', '--app', app, '--json'], machinesSchema, options);
}
/** `flyctl releases --json`: the newest 25 releases only, newest first. */
function commands_listReleases(fly, app, options) {
    commands_assertAppName(app);
    return fly.json(['releases', '--app', app, '--json'], releasesSchema, options);
}
/** `flyctl apps list --json`. */
function listApps(fly, org, options) {
    const args = ['apps', 'list', '--json'];
    if (org) {
        commands_assertNotFlag(org, 'org');
        args.push('--org', org);
    }
    return fly.json(args, appsSchema, options);
}
/** `flyctl image show --json`: one entry per machine (empty when the app has none). */
function showImages(fly, app, options) {
    commands_assertAppName(app);
    return fly.json(['image', 'show', '--app', app, '--json'], imagesSchema, options);
}
/** True when the app exists (status answers), false when flyctl says it cannot be found. */
async function commands_appExists(fly, app, options) {
    commands_assertAppName(app);
    const run = await fly.run(['status', '--app', app, '--json'], { quietStdout: true, ...options, allowFailure: true });
    if (run.code === 0 && !run.timedOut)
        return true;
    if (isAppNotFound(run.errorMessage))
        return false;
    throw fly.failure(run);
}
/** `flyctl apps create <app> --org <org>`; never `launch`, which rewrites fly.toml. */
async function commands_createApp(fly, app, org, options) {
    commands_assertAppName(app);
    if (!ORG_SLUG.test(org))
        throw new UserError(`Invalid org ${JSON.stringify(org)}: expected an organization slug`);
    await fly.run(['apps', 'create', app, '--org', org], options);
}
/**
 * `flyctl apps destroy <app> --yes`. An app that is already gone counts as destroyed:
 * returns false then, true when this call destroyed it.
 */
async function destroyApp(fly, app, options) {
    commands_assertAppName(app);
    const run = await fly.run(['apps', 'destroy', app, '--yes'], { ...options, allowFailure: true });
    if (run.code === 0 && !run.timedOut)
        return true;
    if (isAppNotFound(run.errorMessage))
        return false;
    throw fly.failure(run);
}
// --- secrets ---
/** `flyctl secrets list --json`, any of the three shapes flyctl has printed. */
function commands_listSecrets(fly, app, options) {
    commands_assertAppName(app);
    return fly.json(['secrets', 'list', '--app', app, '--json'], secretsSchema, options);
}
/**
 * `flyctl secrets import [--stage]` with the values on stdin, never in argv. Every value is
 * encoded first, so one flyctl cannot read back exactly fails (naming the secret) before any
 * write. Returns flyctl's run (its stdout says e.g. "staged for the first deployment"), or
 * undefined when there is nothing to import and flyctl was not called.
 */
async function importSecrets(fly, app, values, options = {}) {
    commands_assertAppName(app);
    const entries = values instanceof Map ? [...values] : Object.entries(values);
    if (entries.length === 0)
        return undefined;
    const input = encodeImport(entries);
    const args = ['secrets', 'import', '--app', app];
    if (options.stage)
        args.push('--stage');
    const { stage: _, ...runOptions } = options;
    return fly.run(args, { ...runOptions, input });
}
/**
 * `flyctl secrets unset NAME... [--stage]`; unsetting a missing secret is not an error.
 * Returns flyctl's run, or undefined when no names were given and flyctl was not called.
 */
async function unsetSecrets(fly, app, names, options = {}) {
    commands_assertAppName(app);
    if (names.length === 0)
        return undefined;
    // Names reach flyctl's argv: only environment-style names, so none can read as a flag.
    for (const name of names) {
        if (!ENV_NAME.test(name))
            throw new UserError(`Invalid secret name ${JSON.stringify(name)}`);
    }
    const args = ['secrets', 'unset', ...names, '--app', app];
    if (options.stage)
        args.push('--stage');
    const { stage: _, ...runOptions } = options;
    return fly.run(args, runOptions);
}
/** `flyctl secrets deploy`: restarts machines so staged secrets take effect. */
async function deploySecrets(fly, app, options = {}) {
    commands_assertAppName(app);
    const args = ['secrets', 'deploy', '--app', app];
    if (options.detach)
        args.push('--detach');
    return fly.run(args, options);
}
/** `flyctl ssh console -C <command>`: runs one command on a machine of the app. */
async function sshConsole(fly, app, command, options = {}) {
    commands_assertAppName(app);
    commands_assertNotFlag(command, 'console command');
    const args = ['ssh', 'console', '--app', app, '-C', command];
    if (options.machine) {
        commands_assertNotFlag(options.machine, 'machine id');
        args.push('--machine', options.machine);
    }
    return fly.run(args, options);
}

;// CONCATENATED MODULE: ./packages/fly/src/current.ts

/**
 * The app's current release: the version `status` reports, with its image from
 * `releases` (newest complete one when status says 0 or the version is not among the
 * newest 25). Undefined for an app that never had a release.
 */
async function currentRelease(fly, app, options) {
    return (await current_currentState(fly, app, options)).current;
}
/** The app's status and current release, read in parallel. */
async function current_currentState(fly, app, options) {
    const [status, releases] = await Promise.all([getStatus(fly, app, options), listReleases(fly, app, options)]);
    return { status, current: pickCurrent(status, releases) };
}
function pickCurrent(status, releases) {
    const pick = (r) => ({
        id: r.id,
        version: r.version,
        imageRef: r.imageRef,
        status: r.status,
    });
    const byVersion = status.Version > 0 ? releases.find((r) => r.version === status.Version) : undefined;
    if (byVersion)
        return pick(byVersion);
    const complete = releases.find((r) => r.status === 'complete');
    if (complete)
        return pick(complete);
    return status.Version > 0 ? { id: '', version: status.Version, imageRef: '', status: '' } : undefined;
}

;// CONCATENATED MODULE: ./packages/fly/src/deploy.ts





/**
 * Lines flyctl prints once it has changed a machine (or created a release_command machine).
 * "Updating existing machines in ..." is not one: leases are taken after it, and a lease
 * conflict there has changed nothing.
 */
const TOUCHED = (/* unused pure expression or super */ null && ([
    /^\s*Updating [0-9a-f]{8,}\b/m,
    /^\s*Creating machine [0-9a-f]{8,}\b/m,
    /^\s*(?:\S+\s+)?(?:\[\d+\/\d+\]\s+)?Machine [0-9a-f]{8,} .*(update|created)/im,
    /launching a new machine/i,
    /Creating a second machine/,
    /^\s*Created release_command machine/m,
    /^\s*Creating (green|canary) machine/im,
]));
/** True once flyctl's output shows that machines were created or updated. */
function machinesTouched(output) {
    return TOUCHED.some((re) => re.test(output));
}
/** The release announced by FLY_EMIT_RELEASE_JSON (flyctl >= 0.4.56), if the output has one. */
function parseReleaseLine(stdout) {
    const lines = stdout.split(/\r?\n/).reverse();
    for (const line of lines) {
        const text = line.trim();
        if (!text.startsWith('{') || !text.includes('"version"'))
            continue;
        try {
            const parsed = releaseLineSchema.safeParse(JSON.parse(text));
            if (parsed.success) {
                return { id: parsed.data.id, version: parsed.data.version, imageRef: parsed.data.image_ref ?? '' };
            }
        }
        catch {
            // Not the release line.
        }
    }
    return undefined;
}
/** For older flyctl: the newest release whose image carries `label` (or equals `imageRef`). */
function deploy_findReleaseByImage(releases, match) {
    return releases.find((r) => (match.imageRef && r.imageRef === match.imageRef) || (match.label && imageTag(r.imageRef) === match.label));
}
function pairs(flag, values, what) {
    const out = [];
    for (const [name, value] of Object.entries(values ?? {})) {
        if (!ENV_NAME.test(name))
            throw new UserError(`Invalid ${what} name ${JSON.stringify(name)}`);
        if (value.includes('\n'))
            throw new UserError(`The ${what} ${name} spans lines; flyctl takes one line per value`);
        out.push(flag, `${name}=${value}`);
    }
    return out;
}
/** The argv of `flyctl deploy` for `options`, every value validated first. */
function deploy_deployArgs(options) {
    assertAppName(options.app);
    const args = ['deploy', '--app', options.app];
    if (options.config) {
        assertNotFlag(options.config, 'config path');
        args.push('--config', options.config);
    }
    if (options.image) {
        const buildOnly = [
            ['image-label', options.imageLabel],
            ['build-args', Object.keys(options.buildArgs ?? {}).length > 0],
            ['build-secrets', Object.keys(options.buildSecrets ?? {}).length > 0],
        ].filter(([, given]) => given);
        if (buildOnly.length > 0) {
            throw new UserError(`Input 'image' deploys a built image, so ${buildOnly.map(([name]) => `'${name}'`).join(' and ')} would be ignored: remove one or the other`);
        }
        if (!IMAGE_REF.test(options.image))
            throw new UserError(`Invalid image reference ${JSON.stringify(options.image)}`);
        args.push('--image', options.image);
    }
    else {
        if (options.imageLabel) {
            if (!IMAGE_LABEL.test(options.imageLabel)) {
                throw new UserError(`Invalid image label ${JSON.stringify(options.imageLabel)}`);
            }
            args.push('--image-label', options.imageLabel);
        }
        if (options.remoteOnly !== false)
            args.push('--remote-only');
        args.push(...pairs('--build-arg', options.buildArgs, 'build argument'));
        args.push(...pairs('--build-secret', options.buildSecrets, 'build secret'));
    }
    if (options.strategy) {
        if (!STRATEGIES.includes(options.strategy))
            throw new UserError(`Invalid strategy ${JSON.stringify(options.strategy)}`);
        args.push('--strategy', options.strategy);
    }
    args.push(...pairs('--env', options.env, 'environment variable'));
    if (options.regions && options.regions.length > 0) {
        for (const region of options.regions) {
            if (!REGION.test(region))
                throw new UserError(`Invalid region ${JSON.stringify(region)}: expected a code like iad`);
        }
        args.push('--regions', options.regions.join(','));
    }
    if (options.ha !== undefined)
        args.push(`--ha=${options.ha}`);
    if (options.waitTimeoutMs !== undefined)
        args.push('--wait-timeout', toGoDuration(options.waitTimeoutMs));
    args.push('--yes');
    return args;
}
/** A deploy that failed, and whether it got as far as changing machines. */
class deploy_DeployError extends errors_FlyError {
    name = 'DeployError';
    machinesTouched;
    constructor(cause, touched) {
        super({
            command: cause.command,
            flyMessage: cause.flyMessage,
            exitCode: cause.exitCode,
            kind: cause.kind,
            timedOut: cause.timedOut,
            hint: cause.hint,
        });
        this.machinesTouched = touched;
    }
}
/** Runs one `flyctl deploy`. Throws DeployError saying whether machines were touched. */
async function deploy_deploy(fly, options, run = {}) {
    const args = deploy_deployArgs(options);
    const result = await fly.run(args, { ...run, allowFailure: true });
    if (result.code !== 0 || result.timedOut) {
        throw new deploy_DeployError(fly.failure(result), machinesTouched(`${result.stdout}\n${result.stderr}`));
    }
    return {
        release: parseReleaseLine(result.stdout),
        stdout: result.stdout,
        stderr: result.stderr,
        durationMs: result.durationMs,
    };
}

;// CONCATENATED MODULE: ./packages/fly/src/deploy-app.ts






/** `lease ... expires at <RFC 3339>`: how long until the holder's lease lapses. */
function leaseWaitMs(message, now = Date.now()) {
    const m = /expires at (\d{4}-\d\d-\d\dT[\d:.]+Z)/.exec(message);
    if (!m)
        return undefined;
    const wait = Date.parse(m[1]) - now;
    return Number.isFinite(wait) && wait > 0 ? Math.min(wait + 250, 30_000) : undefined;
}
/**
 * Deploys one app the safe way: records the current release first (auto-rollback needs
 * it), runs `flyctl deploy`, retries only transient failures that changed no machine
 * (bounded by `retries` and the deadline), and learns the new release from the
 * FLY_EMIT_RELEASE_JSON line or, on older flyctl, from `releases` by image. Failures
 * come back as an outcome with everything known so far, not as an exception.
 */
async function deployApp(fly, request, hooks = {}) {
    // Refuse bad options before touching anything.
    deployArgs(request);
    const startedAt = new Date();
    const remaining = () => Math.max(1_000, request.deadline - Date.now());
    const quick = () => ({ cwd: request.cwd, timeoutMs: Math.min(120_000, remaining()) });
    const outcome = {
        app: request.app,
        result: 'failure',
        imageRef: request.image ?? '',
        appUrl: '',
        attempts: [],
        startedAt,
        finishedAt: startedAt,
    };
    const bounds = {
        attempts: request.retries + 1,
        baseDelayMs: request.retryBaseMs ?? 1_000,
        maxDelayMs: 20_000,
        deadline: request.deadline,
    };
    // Reads change nothing, so any transient failure of theirs is retried (same bounds).
    const reading = (read) => retry(read, { ...bounds, retryable: isTransient });
    const fail = (step, error) => {
        if (!(error instanceof FlyError))
            throw error;
        outcome.error = error;
        outcome.failedStep = step;
        outcome.finishedAt = new Date();
        return outcome;
    };
    let before;
    try {
        before = await reading(() => currentState(fly, request.app, quick()));
        outcome.previous = before.current;
        // A deploy does not change an app's URL, but an app never deployed may not report its final one yet.
        if (before.current)
            outcome.appUrl = appUrl(before.status);
    }
    catch (error) {
        return fail('read current release', error);
    }
    const previous = outcome.previous;
    if (previous && (await alreadyDeployed(fly, request, before.status, previous, quick()))) {
        outcome.result = 'unchanged';
        outcome.release = newRelease(previous);
        outcome.finishedAt = new Date();
        return outcome;
    }
    try {
        const result = await retry(async (attempt) => {
            try {
                const r = await deploy(fly, request, { cwd: request.cwd, timeoutMs: remaining() });
                outcome.attempts.push({ attempt, ok: true });
                return r;
            }
            catch (error) {
                if (error instanceof DeployError) {
                    outcome.attempts.push({
                        attempt,
                        ok: false,
                        message: error.flyMessage,
                        kind: error.kind,
                        machinesTouched: error.machinesTouched,
                    });
                }
                throw error;
            }
        }, {
            ...bounds,
            // Never re-run a deploy that reached the machines: it may have half-rolled.
            retryable: (error) => error instanceof DeployError && error.kind === 'transient' && !error.machinesTouched,
            requestedDelayMs: (error) => leaseWaitMs(errorMessage(error)),
            onRetry: (_error, _attempt, delayMs) => {
                const last = outcome.attempts.at(-1);
                if (last)
                    hooks.onRetry?.(last, delayMs);
            },
        });
        outcome.release = result.release;
    }
    catch (error) {
        // A deploy that failed after creating its release still names it: auto-rollback needs it.
        if (error instanceof DeployError && error.machinesTouched) {
            outcome.release = await createdRelease(fly, request, outcome.previous, quick()).catch(() => undefined);
        }
        if (outcome.release?.imageRef)
            outcome.imageRef = outcome.release.imageRef;
        return fail('deploy', error);
    }
    try {
        if (!outcome.release) {
            // flyctl older than 0.4.56 prints no release line: find it by image.
            const releases = await reading(() => listReleases(fly, request.app, quick()));
            const found = findReleaseByImage(releases, { imageRef: request.image, label: request.imageLabel });
            if (found)
                outcome.release = newRelease(found);
        }
        outcome.imageRef = outcome.release?.imageRef || outcome.imageRef;
        if (!outcome.appUrl)
            outcome.appUrl = appUrl(await reading(() => getStatus(fly, request.app, quick())));
    }
    catch (error) {
        return fail('read new release', error);
    }
    outcome.result = 'success';
    outcome.finishedAt = new Date();
    return outcome;
}
/** The release this deploy created (any status), found by its image among those newer than `previous`. */
async function createdRelease(fly, request, previous, options) {
    const releases = await listReleases(fly, request.app, options);
    const newer = releases.filter((r) => r.version > (previous?.version ?? 0));
    const found = findReleaseByImage(newer, { imageRef: request.image, label: request.imageLabel });
    return found ? newRelease(found) : undefined;
}
function newRelease(r) {
    return { id: r.id, version: r.version, imageRef: r.imageRef };
}
/**
 * True when deploying would change nothing: the requested image is the current, complete
 * release, every machine runs it and is started, and no secret waits staged for a deploy
 * (fly-secrets-sync stages them for exactly this step). Any doubt means deploy.
 */
async function alreadyDeployed(fly, request, status, current, options) {
    if (!request.image || current.imageRef !== request.image || current.status !== 'complete')
        return false;
    const settled = status.Machines.length > 0 &&
        status.Machines.every((m) => m.state === 'started' && machineReleaseVersion(m) === current.version);
    if (!settled)
        return false;
    try {
        const secrets = await listSecrets(fly, request.app, { ...options, onLine: () => { } });
        return secrets.every((s) => s.status === 'Deployed' || s.status === undefined);
    }
    catch {
        return false;
    }
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
;// CONCATENATED MODULE: ./packages/fly/src/install.ts



/** The flyctl release the suite is tested against; bumped deliberately. */
const DEFAULT_FLYCTL_VERSION = '0.4.87';
/** Where release archives live; `FLYCTL_DOWNLOAD_BASE_URL` overrides it (tests serve a local tarball). */
const DEFAULT_DOWNLOAD_BASE_URL = 'https://github.com/superfly/flyctl/releases/download';
/** Where `latest` is resolved (as superfly/setup-flyctl does); `FLYCTL_RELEASES_URL` overrides it. */
const DEFAULT_RELEASES_URL = 'https://api.fly.io/app/flyctl_releases';
const SEMVER = /^\d+\.\d+\.\d+$/;
/** What a `flyctl-version` input accepts (`parseVersionRequest` reads it), for action contracts. */
const FLYCTL_VERSION_REQUEST = /^(latest|>=\s*v?\d+\.\d+\.\d+|v?\d+\.\d+\.\d+)$/;
/** Parses `0.4.87`, `v0.4.87` or `>=0.4.56`; undefined when it is none of these. */
function parseVersionRequest(text) {
    const value = text.trim();
    if (value === 'latest')
        return { mode: 'latest', version: '' };
    const minimum = /^>=\s*v?(\d+\.\d+\.\d+)$/.exec(value);
    if (minimum)
        return { mode: 'minimum', version: minimum[1] };
    const exact = value.replace(/^v/, '');
    return SEMVER.test(exact) ? { mode: 'exact', version: exact } : undefined;
}
function compareVersions(a, b) {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    for (let i = 0; i < 3; i++)
        if (pa[i] !== pb[i])
            return pa[i] - pb[i];
    return 0;
}
function satisfies(version, request) {
    if (request.mode === 'latest')
        return true;
    return request.mode === 'exact' ? version === request.version : compareVersions(version, request.version) >= 0;
}
/** The version in `flyctl version` output (`flyctl v0.4.87 linux/amd64 Commit: ...`). */
function parseFlyctlVersion(output) {
    return /\bv?(\d+\.\d+\.\d+)\b/.exec(output)?.[1];
}
/** Asks a flyctl binary for its version; undefined when it is not there or says nothing usable. */
async function flyctlVersion(bin, env = process.env) {
    try {
        const result = await (0,src/* runProcess */.R3)(bin, ['version'], {
            env: { ...env, FLY_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
            timeoutMs: 15_000,
        });
        return result.code === 0 ? parseFlyctlVersion(result.stdout) : undefined;
    }
    catch {
        return undefined;
    }
}
/** Asks Fly which release is newest: the answer is its download URL, which names the version. */
async function resolveLatest(env) {
    const base = (env.FLYCTL_RELEASES_URL || DEFAULT_RELEASES_URL).replace(/\/+$/, '');
    const url = `${base}/Linux/${process.arch === 'arm64' ? 'arm64' : 'x86_64'}/latest`;
    try {
        const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
        const body = (await res.text()).trim();
        const version = /\/v(\d+\.\d+\.\d+)\//.exec(body)?.[1] ?? /(\d+\.\d+\.\d+)/.exec(body)?.[1];
        if (res.ok && version)
            return version;
        throw new Error(`HTTP ${res.status}: ${body.slice(0, 200)}`);
    }
    catch (error) {
        throw new src/* UserError */.yo(`Could not find the latest flyctl release at ${url}: ${error.message}`, {
            hint: 'Set the `flyctl-version` input to a version such as 0.4.87.',
        });
    }
}
function archiveName(version) {
    const os = process.platform === 'linux' ? 'Linux' : process.platform === 'darwin' ? 'macOS' : undefined;
    const arch = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'arm64' : undefined;
    if (!os || !arch)
        throw new src/* UserError */.yo(`flyctl cannot be installed on ${process.platform}/${process.arch} by this action`);
    return `flyctl_${version}_${os}_${arch}.tar.gz`;
}
/**
 * Makes the requested flyctl available: the one on PATH when its version satisfies
 * the request, else a cached or freshly downloaded release (added to PATH).
 */
async function ensureFlyctl(requested = DEFAULT_FLYCTL_VERSION, env = process.env) {
    const request = parseVersionRequest(requested);
    if (!request) {
        throw new src/* UserError */.yo(`Invalid input 'flyctl-version': got ${JSON.stringify(requested)}; expected a version like 0.4.87, >=0.4.56 or latest`);
    }
    const onPath = await flyctlVersion('flyctl', env);
    if (onPath && satisfies(onPath, request))
        return { bin: 'flyctl', version: onPath, source: 'path' };
    // A minimum request downloads the pinned release when that is new enough.
    const version = request.mode === 'latest'
        ? await resolveLatest(env)
        : request.mode === 'minimum' && compareVersions(DEFAULT_FLYCTL_VERSION, request.version) >= 0
            ? DEFAULT_FLYCTL_VERSION
            : request.version;
    const tc = await Promise.all(/* import() */[__webpack_require__.e(58), __webpack_require__.e(805)]).then(__webpack_require__.bind(__webpack_require__, 9805));
    const arch = process.arch;
    const cached = tc.find('flyctl', version, arch);
    if (cached && (0,external_node_fs_.existsSync)((0,external_node_path_.join)(cached, 'flyctl'))) {
        const { addPath } = await __webpack_require__.e(/* import() */ 58).then(__webpack_require__.bind(__webpack_require__, 6058));
        addPath(cached);
        return { bin: (0,external_node_path_.join)(cached, 'flyctl'), version, source: 'cache' };
    }
    const base = (env.FLYCTL_DOWNLOAD_BASE_URL || DEFAULT_DOWNLOAD_BASE_URL).replace(/\/+$/, '');
    const url = `${base}/v${version}/${archiveName(version)}`;
    src/* log */.Rm.info(`Downloading flyctl ${version}${onPath ? ` (found ${onPath} on PATH)` : ''} from ${url}`);
    let archive;
    try {
        archive = await tc.downloadTool(url);
    }
    catch (error) {
        throw new src/* UserError */.yo(`Could not download flyctl ${version} from ${url}: ${error.message}`, {
            hint: 'Check the `flyctl-version` input: it must name a published flyctl release.',
        });
    }
    const extracted = await tc.extractTar(archive);
    const bin = (0,external_node_path_.join)(extracted, 'flyctl');
    if (!(0,external_node_fs_.existsSync)(bin))
        throw new src/* UserError */.yo(`The flyctl ${version} archive holds no \`flyctl\` executable`);
    (0,external_node_fs_.chmodSync)(bin, 0o755);
    const dir = await tc.cacheDir(extracted, 'flyctl', version, arch);
    const { addPath } = await __webpack_require__.e(/* import() */ 58).then(__webpack_require__.bind(__webpack_require__, 6058));
    addPath(dir);
    return { bin: (0,external_node_path_.join)(dir, 'flyctl'), version, source: 'download' };
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
;// CONCATENATED MODULE: ./packages/fly/src/proxy.ts




/** flyctl's ready line: `Proxying localhost:<port> to remote [<host>]:<port>` (older: `Proxying local port <port> ...`). */
const READY = /Proxying (?:localhost|[\d.]+|local port):?(\d+)|Proxying local port (\d+)/;
/**
 * Starts `flyctl proxy <local>:<remote> [host] --watch-stdin` and resolves once flyctl
 * prints its ready line. `--watch-stdin` makes flyctl exit when we close its stdin, so
 * the proxy cannot outlive us.
 */
function startProxy(fly, options) {
    assertAppName(options.app);
    const local = options.localPort ?? 0;
    if (!Number.isInteger(options.remotePort) || options.remotePort < 1 || options.remotePort > 65535) {
        throw new UserError(`Invalid proxy port ${options.remotePort}`);
    }
    const args = ['proxy', `${local}:${options.remotePort}`];
    if (options.remoteHost) {
        assertNotFlag(options.remoteHost, 'proxy host');
        args.push(options.remoteHost);
    }
    args.push('--app', options.app, '--watch-stdin');
    const child = spawn(fly.bin, args, { env: fly.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    const exited = new Promise((resolve) => child.on('close', () => resolve()));
    const killGroup = (signal) => {
        try {
            if (child.pid !== undefined)
                process.kill(-child.pid, signal);
        }
        catch {
            // Already gone.
        }
    };
    const stop = async () => {
        child.stdin.end();
        const grace = setTimeout(() => killGroup('SIGTERM'), 2_000);
        const hard = setTimeout(() => killGroup('SIGKILL'), 5_000);
        await exited;
        clearTimeout(grace);
        clearTimeout(hard);
        killGroup('SIGKILL');
    };
    return new Promise((resolve, reject) => {
        let settled = false;
        const fail = (error) => {
            if (settled)
                return;
            settled = true;
            clearTimeout(timer);
            void stop().then(() => reject(error));
        };
        const timer = setTimeout(() => fail(new FlyError({
            command: 'proxy',
            exitCode: null,
            timedOut: true,
            flyMessage: flyErrorMessage(stderr, stdout) || 'no ready line from flyctl proxy',
        })), options.readyTimeoutMs ?? 60_000);
        child.stdin.on('error', () => { });
        const onData = (stream) => {
            // Whole lines only: a line cut between chunks would be logged in two parts, each unredacted.
            const lines = lineSplitter((line) => {
                if (line)
                    options.onLine?.(redact(line), stream);
            });
            child[stream].on('end', () => lines.end());
            return (text) => {
                if (stream === 'stdout')
                    stdout += text;
                else
                    stderr += text;
                lines.push(text);
                const match = READY.exec(stdout);
                if (match && !settled) {
                    settled = true;
                    clearTimeout(timer);
                    resolve({ host: '127.0.0.1', port: Number(match[1] ?? match[2]), stop });
                }
            };
        };
        child.stdout.setEncoding('utf8').on('data', onData('stdout'));
        child.stderr.setEncoding('utf8').on('data', onData('stderr'));
        child.on('error', (error) => fail(error.code === 'ENOENT' ? new UserError(`Could not start \`${fly.bin}\`: it was not found on PATH`) : error));
        child.on('close', (code) => fail(new FlyError({ command: 'proxy', exitCode: code, flyMessage: flyErrorMessage(stderr, stdout) })));
    });
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
;// CONCATENATED MODULE: ./packages/fly/src/record.ts



/** Writes the record under RUNNER_TEMP (or the OS temp folder) and returns its path. */
function writeDeploymentFile(record, env = process.env) {
    const dir = join(env.RUNNER_TEMP || tmpdir(), 'fly-deploy');
    mkdirSync(dir, { recursive: true });
    const name = `${record.app}-${env.GITHUB_RUN_ID || 'local'}-${env.GITHUB_RUN_ATTEMPT || '1'}-${Date.now()}.json`;
    const path = join(dir, name);
    writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
    return path;
}
/** The record of a deploy (successful, failed or unchanged). */
function deployRecord(outcome, base, strategy) {
    return {
        ...base,
        app: outcome.app,
        release: { id: outcome.release?.id ?? '', version: outcome.release?.version ?? null },
        image: outcome.imageRef,
        finished: outcome.finishedAt.toISOString(),
        strategy,
        result: outcome.result,
        previous: { version: outcome.previous?.version ?? null, image: outcome.previous?.imageRef ?? '' },
        url: outcome.appUrl,
        error: outcome.error?.flyMessage ?? '',
    };
}
/** The record of a destroyed (or already gone) app. */
function destroyRecord(app, base) {
    return {
        ...base,
        app,
        release: { id: '', version: null },
        image: '',
        finished: new Date().toISOString(),
        strategy: '',
        result: 'destroyed',
        previous: { version: null, image: '' },
        url: '',
        error: '',
    };
}

;// CONCATENATED MODULE: ./packages/fly/src/target.ts






/**
 * Finds fly.toml in the working directory. A missing file is fine for the default name
 * (flyctl then uses the app's remote config with `--image`), but an explicitly named
 * one must exist.
 */
function locateConfig(workdir, config, isDefault) {
    if (!existsSync(workdir)) {
        throw new UserError(`Invalid input 'working-directory': ${workdir} does not exist`, {
            hint: 'Check out the repository first (actions/checkout) or fix the path.',
        });
    }
    const path = isAbsolute(config) ? config : join(workdir, config);
    if (!existsSync(path)) {
        if (isDefault)
            return {};
        throw new UserError(`Invalid input 'config': ${JSON.stringify(config)} does not exist in ${workdir}`);
    }
    const arg = isAbsolute(config) ? relative(workdir, path) || config : config;
    return { arg, toml: parseFlyToml(readFileSync(path, 'utf8')) };
}
/** The pull request a run belongs to (pull_request events, or comments on a pull request). */
function pullRequestNumber(ctx) {
    if (ctx.pullRequest)
        return ctx.pullRequest;
    const issue = ctx.event.issue;
    return issue?.pull_request && typeof issue.number === 'number' ? issue.number : undefined;
}
/** Which app this run acts on, and whether it destroys it. */
function resolveTarget(options, ctx) {
    const prEvent = ctx.eventName === 'pull_request' || ctx.eventName === 'pull_request_target';
    const prClosed = prEvent && ctx.event.action === 'closed';
    let app = options.app;
    if (!app && options.preview) {
        const pr = pullRequestNumber(ctx);
        if (!pr) {
            throw new UserError(`Preview mode needs a pull request event (this is a ${ctx.eventName || 'unknown'} event)`, {
                hint: 'Run it on pull_request, or give the `app` input.',
            });
        }
        app = previewAppName(pr, ctx.repository);
    }
    app ??= options.configApp;
    if (!app) {
        throw new UserError('Input required and not supplied: app (no `app` in the config file either)', {
            hint: 'Set the `app` input, or `app = "name"` in fly.toml.',
        });
    }
    assertAppName(app, app === options.app ? "input 'app'" : 'app name in the config file');
    if (options.destroy)
        return { app, destroy: true, why: 'the `destroy` input is true' };
    if (options.preview && prClosed)
        return { app, destroy: true, why: 'the pull request was closed' };
    return { app, destroy: false, why: '' };
}
/** Creates the app when it does not exist; true when it was created now. */
async function ensureApp(fly, app, org, options) {
    if (await appExists(fly, app, options))
        return false;
    if (!org) {
        throw new UserError(`App ${app} does not exist and cannot be created: input 'org' is not set`, {
            hint: 'Set `org` to your Fly organization slug (creating apps needs an org token).',
        });
    }
    await createApp(fly, app, org, options);
    return true;
}
/** Why this deploy happens, for records: a dispatch `reason` input, the commit message, or the PR title. */
function deployReason(ctx) {
    const inputs = ctx.event.inputs;
    const reason = typeof inputs?.reason === 'string' ? inputs.reason : '';
    const commit = ctx.event.head_commit?.message ?? '';
    const title = ctx.event.pull_request?.title ?? '';
    return (reason || commit.split('\n')[0] || title).slice(0, 200);
}

;// CONCATENATED MODULE: ./packages/fly/src/index.ts
















;// CONCATENATED MODULE: ./packages/health/src/fly.ts
/**
 * The Fly side of the gate, kept out of the package index so flyctl code loads only when
 * a gate checks machines (`import('@deploy-actions/health/fly')`).
 */

/** Any flyctl lists machines as JSON: take the one on PATH unless a version was asked for. */
const ANY_FLYCTL = '>=0.1.0';
function toGateMachine(m) {
    const release = schemas_machineReleaseVersion(m);
    return {
        id: m.id,
        state: m.state ?? 'unknown',
        region: m.region ?? undefined,
        releaseVersion: release === undefined ? undefined : String(release),
        processGroup: machineProcessGroup(m) || undefined,
        checks: m.checks.map((c) => ({ name: c.name ?? '?', status: c.status ?? 'unknown' })),
    };
}
/** Machine checks through flyctl (`machines list --json` each round, under the request timeout). */
async function flyMachineGate(options) {
    const env = options.env ?? process.env;
    // A missing token fails here, naming the input, before any flyctl download.
    const token = requireToken(options.token, env);
    const installed = await ensureFlyctl(options.flyctlVersion ?? ANY_FLYCTL, env);
    return machineGate(new Fly({ token, env, bin: installed.bin }), options);
}
/** The gate's machine checks over a flyctl the caller already set up. */
function machineGate(fly, target) {
    return {
        app: target.app,
        releaseVersion: target.releaseVersion,
        perMachine: target.perMachine,
        listMachines: async (timeoutMs) => (await listMachines(fly, target.app, { timeoutMs })).map(toGateMachine),
    };
}


/***/ })

};
