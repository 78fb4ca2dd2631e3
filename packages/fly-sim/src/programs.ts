import { type ChildProcess, spawn } from 'node:child_process';
import { type IncomingMessage, request, type ServerResponse } from 'node:http';
import { connect, createServer } from 'node:net';
import type { SimApp, SimMachine } from './state';

/**
 * The app's own program (`SimApp.serve`), one process per image and secrets the machines run, so a
 * request reaches what the deployed image would answer. A Fly machine's process gets FLY_APP_NAME,
 * FLY_MACHINE_ID, FLY_IMAGE_REF, FLY_REGION and the app's secrets as environment variables
 * (https://fly.io/docs/machines/runtime-environment/); the proxy forwards to its internal_port,
 * which here is a free loopback port handed over as PORT.
 */
interface Program {
  child: ChildProcess;
  port: number;
  ready: Promise<boolean>;
  stderr: string;
}

const START_TIMEOUT_MS = 10_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class AppPrograms {
  private readonly programs = new Map<string, Program>();

  private key(app: SimApp, machine: SimMachine): string {
    const secrets = Object.entries(app.secrets)
      .filter(([, s]) => s.deployed)
      .map(([name, s]) => `${name}:${s.digest}`)
      .sort();
    return `${app.name}|${machine.imageRef}|${secrets.join(',')}`;
  }

  private async start(app: SimApp, machine: SimMachine): Promise<Program> {
    const serve = app.serve!;
    const port = await freePort();
    const secrets = Object.fromEntries(
      Object.entries(app.secrets)
        .filter(([, s]) => s.deployed)
        .map(([name, s]) => [name, s.value]),
    );
    const child = spawn(serve.command[0], serve.command.slice(1), {
      cwd: serve.cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? serve.cwd,
        ...serve.env,
        ...secrets,
        FLY_APP_NAME: app.name,
        FLY_MACHINE_ID: machine.id,
        FLY_IMAGE_REF: machine.imageRef,
        FLY_REGION: machine.region,
        PORT: String(port),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const program: Program = { child, port, stderr: '', ready: Promise.resolve(false) };
    child.stderr?.on('data', (chunk: Buffer) => {
      program.stderr = (program.stderr + chunk.toString()).slice(-2000);
    });
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    child.once('error', () => {
      exited = true;
    });
    program.ready = (async () => {
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (!exited && Date.now() < deadline) {
        if (await accepts(port)) return true;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return false;
    })();
    return program;
  }

  /**
   * Forwards the request to the program of the machine's image; 502 as Fly's proxy when it does not
   * answer. `answered` hears the status just before it is sent.
   */
  async forward(
    app: SimApp,
    machine: SimMachine,
    req: IncomingMessage,
    res: ServerResponse,
    answered: (status: number) => void,
  ): Promise<void> {
    const key = this.key(app, machine);
    let program = this.programs.get(key);
    if (!program || program.child.exitCode !== null) {
      program = await this.start(app, machine);
      this.programs.set(key, program);
    }
    const headers = { 'fly-request-id': `01SIM${Date.now()}`, 'fly-machine-id': machine.id };
    if (!(await program.ready)) {
      answered(502);
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(`could not reach the app: connection refused\n${program.stderr}`);
      return;
    }
    const body: Buffer[] = [];
    for await (const chunk of req) body.push(chunk as Buffer);
    await new Promise<void>((resolve) => {
      const upstream = request(
        { host: '127.0.0.1', port: program.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          answered(answer.statusCode ?? 502);
          res.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...headers });
          answer.pipe(res);
          answer.on('end', resolve);
        },
      );
      upstream.on('error', (err) => {
        if (!res.headersSent) {
          answered(502);
          res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', ...headers });
        }
        res.end(`could not reach the app: ${err.message}\n`);
        resolve();
      });
      upstream.end(Buffer.concat(body));
    });
  }

  stopAll(): void {
    for (const program of this.programs.values()) program.child.kill();
    this.programs.clear();
  }
}
