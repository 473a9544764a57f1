/**
 * How one output phase of a strided convolution's input gradient is computed along one spatial
 * axis: which filter taps reach it and how the output gradient is cropped and padded so that a
 * stride-1 convolution yields the phase directly.
 */
export interface PhaseAxisPlan {
  /** Filter taps that land on this phase; 0 means the phase receives no gradient (all zeros). */
  taps: number;
  /** Index of the phase's first tap in the spatially flipped filter; later taps are `stride` apart. */
  filterStart: number;
  /** Rows of the output gradient dropped before the convolution, at the start. */
  cropBefore: number;
  /** Rows of the output gradient dropped before the convolution, at the end. */
  cropAfter: number;
  /** Zero padding of the stride-1 convolution before the output gradient. */
  padBefore: number;
  /** Zero padding of the stride-1 convolution after the output gradient. */
  padAfter: number;
}

/** The phases of one spatial axis; see {@link planPhaseAxis}. */
export interface PhaseAxisSplit {
  /** Length of every phase along the axis: `ceil(inputLength / stride)`. */
  phaseLength: number;
  /** One plan per phase `p` (input positions `p, p + stride, p + 2·stride, …`). */
  phases: PhaseAxisPlan[];
}

/**
 * Splits one spatial axis of a strided convolution's input gradient into its `stride` phases.
 *
 * The forward convolution reads input position `q·stride + p` through tap `k` at output position
 * `i` when `i·stride + k - padStart = q·stride + p`. For a fixed phase `p` the taps that can do so
 * are `k ≡ p + padStart (mod stride)`, and `i = q + c - m` for the m-th of them, with
 * `c = floor((p + padStart) / stride)`: a stride-1 correlation of the (undilated) output gradient
 * with those taps in reverse order. Each phase is given the same length, `ceil(inputLength /
 * stride)`, so the phases can be interleaved and the excess cropped at the end.
 *
 * @param gradLength - length of the output gradient along the axis
 * @param inputLength - length of the input (and of its gradient) along the axis
 * @param filterSize - filter length along the axis
 * @param stride - forward stride along the axis, at least 1
 * @param padStart - padding of the forward convolution before the input (`padInfo.top`/`left`)
 */
export function planPhaseAxis(
  gradLength: number,
  inputLength: number,
  filterSize: number,
  stride: number,
  padStart: number,
): PhaseAxisSplit {
  const phaseLength = Math.ceil(inputLength / stride);
  const phases: PhaseAxisPlan[] = [];
  for (let p = 0; p < stride; p++) {
    const firstTap = (p + padStart) % stride;
    const taps =
      p < inputLength && firstTap < filterSize ? Math.ceil((filterSize - firstTap) / stride) : 0;
    const offset = Math.floor((p + padStart) / stride);
    // Signed paddings; a negative one is a crop of the output gradient instead.
    const before = taps - 1 - offset;
    const after = phaseLength - gradLength - before + taps - 1;
    const cropBefore = Math.max(-before, 0);
    const cropAfter = Math.max(-after, 0);
    // Every gradient row cropped away: nothing reaches this phase.
    const empty = taps === 0 || gradLength - cropBefore - cropAfter <= 0;
    phases.push(
      empty
        ? { taps: 0, filterStart: 0, cropBefore: 0, cropAfter: 0, padBefore: 0, padAfter: 0 }
        : {
            taps,
            filterStart: filterSize - 1 - firstTap - (taps - 1) * stride,
            cropBefore,
            cropAfter,
            padBefore: Math.max(before, 0),
            padAfter: Math.max(after, 0),
          },
    );
  }
  return { phaseLength, phases };
}
