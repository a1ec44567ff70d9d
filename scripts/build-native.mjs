#!/usr/bin/env node
// Builds the optional native addon (native/ → native/build/Release/ringbus_native.node) with
// node-gyp. This is the package's `install` script, so it must NEVER fail the install: whatever
// goes wrong (no compiler, no node-gyp, no node headers, a compile error), it prints one line
//   ringbus: native addon not built (<reason>); CPU pinning is off, the bus still runs
// and exits 0. The bus then runs on the pure-JS fallback (src/native).
//
// Environment:
//   RINGBUS_SKIP_NATIVE_BUILD=1   do not build at all
//   CXX                           the C++ compiler node-gyp should use (checked before building)
//   npm_config_node_gyp           node-gyp to run (npm sets it for lifecycle scripts)
//   npm_config_nodedir            node headers (otherwise <node prefix>/include/node when present,
//                                 so the build works offline)
// The full node-gyp output goes to native/build/build-native.log.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NATIVE_DIR = join(PACKAGE_ROOT, 'native');
const ADDON_PATH = join(NATIVE_DIR, 'build', 'Release', 'ringbus_native.node');
const LOG_PATH = join(NATIVE_DIR, 'build', 'build-native.log');
const BUILD_TIMEOUT_MS = 10 * 60 * 1000;
const IS_WINDOWS = process.platform === 'win32';

/** Prints the one "not built" line and ends the install successfully. */
function notBuilt(reason) {
  console.warn(`ringbus: native addon not built (${reason}); CPU pinning is off, the bus still runs`);
  process.exit(0);
}

/** Path shown to the user: relative to the package root when inside it. */
function shown(path) {
  const rel = relative(PACKAGE_ROOT, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function isExecutable(path) {
  try {
    accessSync(path, IS_WINDOWS ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds an executable on PATH, or returns null. */
function which(name) {
  if (name.includes('/') || (IS_WINDOWS && name.includes('\\'))) return isExecutable(name) ? name : null;
  const exts = IS_WINDOWS ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').concat(['']) : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

/** Returns a reason string when the tool chain is visibly missing, else null. */
function checkToolchain() {
  if (IS_WINDOWS) return null; // node-gyp locates Visual Studio itself
  const cxx = process.env.CXX?.trim();
  if (cxx) {
    const bin = cxx.split(/\s+/)[0];
    if (!which(bin)) return `the C++ compiler CXX=${cxx} was not found`;
  } else if (!['c++', 'g++', 'clang++'].some((name) => which(name))) {
    return 'no C++ compiler found: install g++ or clang++, or set CXX';
  }
  if (!which('make')) return 'make was not found';
  const python = process.env.npm_config_python || process.env.PYTHON;
  if (!(python ? which(python) : which('python3') || which('python')))
    return 'python3 was not found (node-gyp needs it)';
  return null;
}

/** Returns the node-addon-api include directory's package, or null when it is not installed. */
function findNodeAddonApi() {
  try {
    return createRequire(join(NATIVE_DIR, 'binding.gyp')).resolve('node-addon-api/package.json');
  } catch {
    return null;
  }
}

/** How to run node-gyp: [command, leading args], or null when none is found. */
function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm.endsWith('.js') ? [process.execPath, [fromNpm]] : [fromNpm, []];
  const onPath = which('node-gyp');
  if (onPath) return [onPath, []];
  // npm's own bundled copy: next to npm-cli.js, or under the prefix node was installed to.
  const candidates = [];
  if (process.env.npm_execpath)
    candidates.push(resolve(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const npm = which('npm');
  if (npm) candidates.push(resolve(dirname(realpathSync(npm)), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const prefix = resolve(dirname(process.execPath), '..');
  candidates.push(join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  );
  for (const candidate of candidates) if (existsSync(candidate)) return [process.execPath, [candidate]];
  if (npm) return [npm, ['exec', '--no', '--', 'node-gyp']];
  return null;
}

/** `--nodedir` pointing at the running node's installed headers, so no download is needed. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = resolve(dirname(process.execPath), '..');
  for (const dir of [prefix, '/usr', '/usr/local']) {
    if (
      existsSync(join(dir, 'include', 'node', 'common.gypi')) &&
      existsSync(join(dir, 'include', 'node', 'node_api.h'))
    ) {
      return [`--nodedir=${dir}`];
    }
  }
  return [];
}

/** The most telling line of a failed build's output. */
function firstErrorLine(output) {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const hit =
    lines.find(
      (line) =>
        /\berror\b/i.test(line) && !/^gyp ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(line),
    ) ?? lines.find((line) => /not found|No such file/i.test(line));
  return hit ? hit.slice(0, 200) : null;
}

function main() {
  const skip = process.env.RINGBUS_SKIP_NATIVE_BUILD;
  if (skip && skip !== '0' && skip.toLowerCase() !== 'false') notBuilt(`RINGBUS_SKIP_NATIVE_BUILD=${skip}`);
  if (!existsSync(join(NATIVE_DIR, 'binding.gyp'))) notBuilt(`${shown(join(NATIVE_DIR, 'binding.gyp'))} is missing`);
  if (!findNodeAddonApi()) notBuilt('the optional dependency node-addon-api is not installed');
  const toolchainProblem = checkToolchain();
  if (toolchainProblem) notBuilt(toolchainProblem);
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) notBuilt('node-gyp was not found (it ships with npm)');

  const [command, lead] = nodeGyp;
  const args = [...lead, 'rebuild', ...nodedirArgs()];
  const result = spawnSync(command, args, {
    cwd: NATIVE_DIR,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
    shell: IS_WINDOWS && /\.(cmd|bat)$/i.test(command),
  });
  const output = `$ ${[command, ...args].join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `\n${result.error.stack}` : ''}\n`;
  try {
    mkdirSync(dirname(LOG_PATH), { recursive: true });
    writeFileSync(LOG_PATH, output);
  } catch {
    // the log is a courtesy; never fail over it
  }
  const log = `log: ${shown(LOG_PATH)}`;
  if (result.error) notBuilt(`node-gyp could not run: ${result.error.message}; ${log}`);
  if (result.status !== 0) {
    const status = result.signal ? `signal ${result.signal}` : `exit code ${result.status}`;
    const detail = firstErrorLine(output);
    notBuilt(`node-gyp rebuild failed with ${status}${detail ? `: ${detail}` : ''}; ${log}`);
  }
  if (!existsSync(ADDON_PATH)) notBuilt(`node-gyp succeeded but ${shown(ADDON_PATH)} is missing; ${log}`);
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH);
    addon.getAffinity();
    const support = addon.supported ? 'CPU pinning is available' : `CPU pinning is unsupported on ${process.platform}`;
    console.log(`ringbus: native addon built (${shown(ADDON_PATH)}); ${support}`);
  } catch (err) {
    notBuilt(
      `${shown(ADDON_PATH)} was built but cannot be loaded: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

try {
  main();
} catch (err) {
  notBuilt(`unexpected error: ${err instanceof Error ? err.message : String(err)}`);
}
