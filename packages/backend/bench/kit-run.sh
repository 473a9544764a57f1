#!/usr/bin/env bash
# run.sh of the device kit (bench/make-device-kit.sh copies this file there as run.sh): the one
# prepared script for the GPU machine (../shared/DEVICE.md). Installs the Vulkan loader, unpacks
# Node and Dawn, then runs every measurement of issue #12, most important first, each part under
# `timeout` within one time budget, printing rows as they are measured (a part cut short still
# leaves its finished rows):
#   1. geokd's own training steps (trainer + @geokd/models + GKD) on webgpu, @geokd/backend's
#      kernels vs tfjs's stock ones, with kernels and GPU programs per step   (gpu-step-bench.mjs)
#   2. the PyTorch peer (CUDA): the same steps, CUDA kernels per step, an epoch's pace and the
#      projected paper-cifar10 protocol                                        (webgpu_step_torch.py)
#   3. `geokd-bench run --preset paper-cifar10 --backend webgpu --data synthetic --epochs 1
#      --seeds 1` to the end (1,024 synthetic images: 8 steps of batch 128 per run), then its
#      seconds per run and the protocol projected from them                  (geokd-bench.mjs)
#   4. every method of the preset and the evaluation passes (geokd kernels), and the protocol
#      projected from those step times                                        (gpu-step-bench.mjs)
#   5. the plain-tfjs WRN-16-1 and GKD steps, stock vs @geokd/backend, vs PyTorch
#                                                                             (webgpu-step-bench.mjs)
# Usage: bash run.sh [--budget=SECONDS (default 420)] [--parts=1,2,3,4,5] [--smoke]
#   --parts: run only these parts (e.g. a rerun of the ones that timed out).
#   --smoke: tiny nets and batches on any adapter (lavapipe included); checks the kit end to end.
# Environment: KIT_PYTHON (default python3), KIT_HOME (unpack folder, default a temp dir),
#   OUT (where run.log, cli-results.json and cli-table.md go; default $KIT_HOME/out). At most
#   these three files are written there (the device tool brings back 8 files at most).
set -uo pipefail
cd "$(dirname "$0")"
budget=420
smoke=0
parts=1,2,3,4,5
for arg in "$@"; do
  case $arg in
    --budget=*) budget=${arg#*=} ;;
    --parts=*) parts=${arg#*=} ;;
    --smoke) smoke=1 ;;
    *) echo "run.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
started=$SECONDS
home=${KIT_HOME:-$(mktemp -d)}
out=${OUT:-$home/out}
mkdir -p "$out"
exec > >(tee "$out/run.log") 2>&1

# Setup: the Vulkan loader (unless there is one), Node, Dawn.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
  for f in libvulkan1_*.deb; do dpkg -x "$f" /; done
  ldconfig 2>/dev/null || true
fi
[ -x "$home/node" ] || { xz -dc node.xz >"$home/node" && chmod +x "$home/node"; }
[ -f "$home/dawn.node" ] || xz -dc dawn.node.xz >"$home/dawn.node"
export PATH="$home:$PATH" GEOKD_DAWN_NODE="$home/dawn.node" GEOKD_BACKEND=webgpu
[ -f /usr/share/vulkan/icd.d/nvidia_icd.json ] || [ ! -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] \
  || export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
python=${KIT_PYTHON:-python3}
if torch_version=$("$python" -c 'import torch; print(torch.__version__, "cuda" if torch.cuda.is_available() else "cpu")' 2>/dev/null); then
  echo "PyTorch: $torch_version ($python)"
else
  echo "PyTorch: not available ($python cannot import torch): the PyTorch parts are skipped"
  python=''
fi
flags=()
if [ "$smoke" = 1 ]; then
  flags=(--smoke)
  export GEOKD_WEBGPU_ALLOW_SOFTWARE=1
fi
echo "node $(node --version), dawn at $GEOKD_DAWN_NODE, budget ${budget} s, $(date -u +%FT%TZ)$([ "$smoke" = 1 ] && echo ', SMOKE')"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || true

# part NAME LIMIT COMMAND...: runs COMMAND under timeout, never past the budget. NAME starts
# with the part's number, which --parts selects.
part() {
  local name=$1 limit=$2
  shift 2
  case ",$parts," in
    *",${name%%.*},"*) ;;
    *) return 0 ;;
  esac
  local left=$((budget - (SECONDS - started)))
  if ((left < 20)); then
    echo -e "\n== $name: SKIPPED (budget spent)"
    return 0
  fi
  ((limit > left)) && limit=$left
  echo -e "\n== $name (limit ${limit} s, at ${SECONDS}s of the run)"
  local t0=$SECONDS rc=0
  timeout --kill-after=5 "$limit" "$@" || rc=$?
  if ((rc == 124 || rc == 137)); then
    echo "== $name: TIMED OUT after ${limit} s (the rows above are complete)"
  elif ((rc != 0)); then
    echo "== $name: FAILED (exit $rc)"
  else
    echo "== $name: done in $((SECONDS - t0)) s"
  fi
}

if [ "$smoke" = 1 ]; then
  nets='{"wrn":[10,1],"teacher":[10,1],"student":[10,0.5]}'
  torch_cfg="{\"nets\":$nets,\"wrnBatch\":2,\"gkdBatch\":2,\"steps\":1,\"warmup\":1,\"verbose\":true,\"epoch\":{\"steps\":2,\"warmup\":1,\"batch\":2,\"evalBatch\":2,\"trainSize\":50000,\"testSize\":10000,\"epochs\":200,\"seeds\":10,\"methods\":6}}"
  # The CLI on WRN-10 nets, batch 4, 8 train / 8 test images: one step per run.
  echo '{"teacher":{"name":"wrn-10-1"},"student":{"name":"wrn-10-0.5"},"heatmapBatchSize":8}' >"$home/smoke-config.json"
  cli_flags=(--config "$home/smoke-config.json" --batch-size 4 --train-size 8 --test-size 8 --max-steps 1)
  cli_methods=baseline,gkd-dense,gkd-knn
  methods_steps=()
else
  nets='{"wrn":[16,1],"teacher":[28,1],"student":[28,0.5]}'
  torch_cfg="{\"nets\":$nets,\"wrnBatch\":64,\"gkdBatch\":128,\"steps\":20,\"warmup\":5,\"verbose\":true,\"epoch\":{\"steps\":50,\"warmup\":5,\"batch\":128,\"evalBatch\":256,\"trainSize\":50000,\"testSize\":10000,\"epochs\":200,\"seeds\":10,\"methods\":6}}"
  cli_flags=()
  # The preset's six methods.
  cli_methods=baseline,hinton,rkd-distance,gkd-dense,gkd-knn,gkd-intra
  methods_steps=(--steps=5 --warmup=2) # 7 training cases: fewer steps keep part 4 inside its limit
fi

part "1. geokd training steps on webgpu: @geokd/backend vs stock kernels, kernels and GPU programs per step" 80 \
  node gpu-step-bench.mjs --part=core "${flags[@]}"

if [ -n "$python" ]; then
  part "2. PyTorch peer: steps, CUDA kernels per step, epoch pace, projected protocol" 50 \
    "$python" -u webgpu_step_torch.py "$torch_cfg"
else
  case ",$parts," in *,2,*) echo -e "\n== 2. PyTorch peer: SKIPPED (no python with torch)" ;; esac
fi

# The CLI writes into $home; results.json and table.md are copied to $out.
cli_run() {
  local t0=$SECONDS
  rm -rf "$home/paper-cifar10"
  node geokd-bench.mjs run --preset paper-cifar10 --backend webgpu --data synthetic --epochs 1 --seeds 1 \
    --methods "$cli_methods" --out "$home/paper-cifar10" --cache-dir "$home/cache" "${cli_flags[@]}" || return $?
  cp "$home/paper-cifar10/results.json" "$out/cli-results.json"
  cp "$home/paper-cifar10/table.md" "$out/cli-table.md"
  node kit-cli-summary.mjs "$home/paper-cifar10/results.json" $((SECONDS - t0))
}
part "3. geokd-bench run --preset paper-cifar10 --backend webgpu --data synthetic --epochs 1 --seeds 1" 130 \
  bash -c "$(declare -f cli_run); $(declare -p cli_flags cli_methods out home); cli_run"

part "4. every paper-cifar10 method and the eval passes (geokd kernels), projected protocol" 90 \
  node gpu-step-bench.mjs --part=methods --kernels=geokd "${flags[@]}" "${methods_steps[@]}"

part "5. plain-tfjs nets (packages/backend/bench): stock vs @geokd/backend vs PyTorch" 70 \
  node webgpu-step-bench.mjs --python="$python" "${flags[@]}"

echo -e "\nrun.sh: finished in $((SECONDS - started)) s (budget ${budget} s); log in $out/run.log"
