import type { ScryptOptions } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * The worker: CommonJS source evaluated by `new Worker(…, { eval: true })`, so it runs the same
 * from `dist` and from the TypeScript sources under test. On Linux the nice value is a property
 * of each thread, so the worker lowers its own (`/proc/thread-self` names its thread id) and the
 * event loop thread wins the CPU when both want it; an idle CPU still runs the hash at full speed.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
let nice = 0;
if (workerData.nice > 0 && process.platform === 'linux') {
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) {
      require('node:os').setPriority(tid, workerData.nice);
      nice = require('node:os').getPriority(tid);
    }
  } catch {}
}
parentPort.postMessage({ ready: true, nice });
parentPort.on('message', ({ id, password, salt, keyLength, options }) => {
  try {
    // An exact copy of the key, not a view of a pooled buffer (see the sender).
    parentPort.postMessage({ id, key: new Uint8Array(scryptSync(password, salt, keyLength, options)) });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

interface Job {
  id: number;
  password: string;
  salt: Buffer;
  keyLength: number;
  options: ScryptOptions;
  resolve(key: Buffer): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

type Reply = { ready: true; nice: number } | { id: number; key?: Uint8Array; error?: string };

/** What `derive` in password-hash.ts calls: the threadpool's `crypto.scrypt`, or a worker pool. */
export type ScryptFunction = (
  password: string,
  salt: Buffer,
  keyLength: number,
  options: ScryptOptions,
) => Promise<Buffer>;

/**
 * `size` worker threads that run scrypt, one hash each at a time; more jobs wait here in order.
 * Password hashing then takes nothing from libuv's threadpool (`UV_THREADPOOL_SIZE`, 4 by default),
 * which file system, DNS and WebCrypto work share. Workers start on first use, are unref'd
 * while idle (they never keep a process alive) and are replaced if one dies.
 */
export class ScryptWorkers {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly nice: number,
  ) {}

  readonly scrypt: ScryptFunction = (password, salt, keyLength, options) =>
    new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new Error('the password hashing workers are closed'));
        return;
      }
      this.queue.push({ id: this.nextId++, password, salt, keyLength, options, resolve, reject });
      this.dispatch();
    });

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.job === undefined);
      if (slot === undefined && this.slots.length < this.size) slot = this.spawn();
      if (slot === undefined) return;
      const job = this.queue.shift() as Job;
      slot.job = job;
      slot.worker.ref();
      const { id, password, salt, keyLength, options } = job;
      // An exact copy: a small Buffer is a view of Node's shared 8 KiB pool,
      // and posting it would clone the whole pool (other secrets included).
      slot.worker.postMessage({ id, password, salt: new Uint8Array(salt), keyLength, options });
    }
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { nice: this.nice } });
    const slot: Slot = { worker, job: undefined };
    worker.unref();
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) return;
      const job = slot.job;
      if (job === undefined || job.id !== reply.id) return;
      slot.job = undefined;
      worker.unref();
      if (reply.key === undefined) job.reject(new Error(reply.error ?? 'scrypt failed'));
      else job.resolve(Buffer.from(reply.key));
      this.dispatch();
    });
    const fail = (err: Error) => {
      const index = this.slots.indexOf(slot);
      if (index === -1) return;
      this.slots.splice(index, 1);
      slot.job?.reject(err);
      slot.job = undefined;
      if (!this.closed) this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a password hashing worker exited (${code})`)));
    this.slots.push(slot);
    return slot;
  }

  /** Stops the workers; jobs still queued or running are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0))
      job.reject(new Error('the password hashing workers are closed'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
