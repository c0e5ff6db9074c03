// Runs Python test modules under the official MicroPython WebAssembly build.
// usage: node run.mjs --root REPO [--mount DIR_OR_FILE]... [--path DIR]... [--heap BYTES] MODULE...
//        node run.mjs ... --exec FILE [--arg A]...   (run one script; it finds the A's in ARGS,
//        and run.mjs calls its advance() until that returns a false value)
//        --file HOST=PATH copies a host file or folder (.py .mpy .json) to PATH in MicroPython's filesystem
// --path DIR puts /lib/DIR first on sys.path (e.g. firmware, so `import runtime` works).
// Each mount is copied from REPO into MicroPython's in-memory filesystem under /lib with the
// same relative path, so `import tests.protocol.x` means the same file under both Pythons.
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";
import fs from "node:fs";
import path from "node:path";

function parseArgs(argv) {
  const opts = { root: process.cwd(), mounts: [], paths: [], heap: 256 * 1024, modules: [], exec: null, args: [], files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--root") opts.root = argv[++i];
    else if (a === "--mount") opts.mounts.push(argv[++i]);
    else if (a === "--heap") opts.heap = parseInt(argv[++i], 10);
    else if (a === "--path") opts.paths.push(argv[++i]);
    else if (a === "--exec") opts.exec = argv[++i];
    else if (a === "--arg") opts.args.push(argv[++i]);
    else if (a === "--file") opts.files.push(argv[++i]);
    else opts.modules.push(a);
  }
  return opts;
}

function copyInto(mp, hostPath, fsPath) {
  const st = fs.statSync(hostPath);
  if (st.isDirectory()) {
    mp.FS.mkdirTree(fsPath);
    for (const name of fs.readdirSync(hostPath)) {
      if (name === "__pycache__" || name === "node_modules") continue;
      copyInto(mp, path.join(hostPath, name), fsPath + "/" + name);
    }
  } else if (hostPath.endsWith(".py") || hostPath.endsWith(".json") || hostPath.endsWith(".mpy")) {
    mp.FS.mkdirTree(path.posix.dirname(fsPath));
    mp.FS.writeFile(fsPath, fs.readFileSync(hostPath));
  }
}

function ensurePackages(mp, rel) {
  // Every folder on the way to a mount is a package, as it is on the host.
  const parts = rel.split("/").slice(0, -1);
  let dir = "/lib";
  for (const p of parts) {
    dir += "/" + p;
    mp.FS.mkdirTree(dir);
    try { mp.FS.stat(dir + "/__init__.py"); } catch { mp.FS.writeFile(dir + "/__init__.py", ""); }
  }
}

const opts = parseArgs(process.argv.slice(2));
const mp = await loadMicroPython({
  heapsize: opts.heap,
  stdout: (line) => process.stdout.write(line + "\n"),
  stderr: (line) => process.stderr.write(line + "\n"),
});
for (const rel of opts.mounts) {
  ensurePackages(mp, rel);
  copyInto(mp, path.join(opts.root, rel), "/lib/" + rel);
}
for (const spec of opts.files) {
  const at = spec.indexOf("=");
  const target = spec.slice(at + 1);
  mp.FS.mkdirTree(path.posix.dirname(target));
  copyInto(mp, spec.slice(0, at), target);
}
const harness = fs.readFileSync(new URL("./harness.py", import.meta.url), "utf8");
let failed = 0;
try {
  let setup = "import sys\nsys.path.insert(0, '/lib')\n";
  setup += "ARGS = " + JSON.stringify(opts.args) + "\n";   // this build's sys has no argv
  for (const p of opts.paths) setup += "sys.path.insert(0, '/lib/" + p + "')\n";
  if (opts.exec) {
    // A script that defines advance() is driven from here: called again and again until it
    // returns a false value, so that each call starts on a clean stack, the one place where
    // this build's collector can free everything (it never collects inside a synchronous run).
    mp.runPython(setup + fs.readFileSync(path.join(opts.root, opts.exec), "utf8"));
    const advance = mp.globals.get("advance");
    if (advance) while (advance()) { /* next step */ }
  } else {
    mp.runPython(setup + harness);
    const run = mp.globals.get("run_modules");
    failed = run(opts.modules.join(","));
  }
} catch (err) {
  console.error(String(err));
  failed = 1;
}
process.exit(failed ? 1 : 0);
