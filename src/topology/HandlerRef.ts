import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import { RingbusTypeError, show } from '../errors.js';
import type { ExceptionPolicyOption, ResolvedExceptionPolicy } from '../processing/ExceptionPolicy.js';

/** How a handler is registered. */
export interface HandlerOptions {
  /** Worker to run on (default: the bus's default worker, shared by every handler). */
  worker?: string;
  /** Passed to the handler's factory as `context.options` (structured-cloned). */
  options?: unknown;
  /** Exception policy (default 'halt'). */
  onError?: ExceptionPolicyOption;
  /** Dead-letter file for 'skip' (default: `<dataDir>/dead-letters/<name>.dlq` when the bus has a dataDir). */
  deadLetterPath?: string;
}

/** A handler as a plain spec (alternative to `bus.handler(...)`). */
export interface HandlerSpec extends HandlerOptions {
  name: string;
  module: URL | string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** Module reference → file URL string a worker can import. */
export function moduleUrl(module: URL | string, what: string): string {
  if (module instanceof URL) return module.href;
  if (typeof module === 'string' && module.length > 0) {
    if (/^(file|data|node):/.test(module)) return module;
    if (isAbsolute(module)) return pathToFileURL(module).href;
  }
  throw new RingbusTypeError(
    'RINGBUS_ERR_INVALID_OPTION',
    `${what} must be a file URL or an absolute path (a worker imports it), got ${show(module)}`,
  );
}

/**
 * A registered handler: its name, module, worker and policy, and (once wired by the DSL) the
 * handlers it runs after. Created by `bus.handler(...)`; belongs to one bus.
 */
export class HandlerRef {
  readonly name: string;
  readonly moduleUrl: string;
  readonly worker: string | null;
  /** Options for the factory (the built-in journal's are built at start by the persistence coordinator). */
  readonly options: unknown;
  readonly policy: ResolvedExceptionPolicy;
  readonly deadLetterPath: string | null;
  readonly owner: object;
  /** Set when the DSL places it. */
  dependsOn: readonly HandlerRef[] | null = null;
  /** Order of placement (topological: a handler is placed after everything it depends on). */
  order = -1;

  constructor(owner: object, name: string, module: URL | string, options: HandlerOptions = {}) {
    if (typeof name !== 'string' || !NAME.test(name))
      throw new RingbusTypeError('RINGBUS_ERR_INVALID_OPTION', `handler name must match ${NAME}, got ${show(name)}`);
    if (options.worker !== undefined && (typeof options.worker !== 'string' || !NAME.test(options.worker))) {
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `handler '${name}': worker must be a name matching ${NAME}, got ${show(options.worker)}`,
      );
    }
    this.owner = owner;
    this.name = name;
    this.moduleUrl = moduleUrl(module, `handler '${name}': module`);
    this.worker = options.worker ?? null;
    this.options = options.options;
    this.policy = resolvePolicy(name, options.onError);
    if (
      options.deadLetterPath !== undefined &&
      (typeof options.deadLetterPath !== 'string' || !isAbsolute(options.deadLetterPath))
    ) {
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `handler '${name}': deadLetterPath must be an absolute path, got ${show(options.deadLetterPath)}`,
      );
    }
    this.deadLetterPath = options.deadLetterPath ?? null;
  }
}

function resolvePolicy(name: string, p: ExceptionPolicyOption | undefined): ResolvedExceptionPolicy {
  if (p === undefined || p === 'halt') return { type: 'halt' };
  if (p === 'skip') return { type: 'skip' };
  if (typeof p === 'object' && p !== null && 'module' in p) {
    const exp = p.export ?? 'default';
    if (typeof exp !== 'string')
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `handler '${name}': onError.export must be a string, got ${show(exp)}`,
      );
    return { type: 'custom', module: moduleUrl(p.module, `handler '${name}': onError.module`), export: exp };
  }
  throw new RingbusTypeError(
    'RINGBUS_ERR_INVALID_OPTION',
    `handler '${name}': onError must be 'halt', 'skip' or { module, export? } (a module exporting the policy function), got ${show(p)}`,
  );
}
