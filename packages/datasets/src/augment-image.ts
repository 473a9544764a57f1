import type { SeededRandom } from './seeded-random';

/** Options of the random augmentation applied per image by `Dataset.batches({ augment })`. */
export interface AugmentOptions {
  /** Zero padding on each side before a random crop back to the original size; 0 disables the crop. @default 4 */
  padding?: number;
  /** Flip the image horizontally with probability 1/2. @default true */
  horizontalFlip?: boolean;
}

/**
 * Writes a randomly cropped (zero padding) and possibly flipped copy of `source` (one NHWC
 * image, `height*width*channels` values) into `target` at `offset`, as in the standard CIFAR
 * pipeline (`RandomCrop(32, padding=4)`, `RandomHorizontalFlip()`). Draws from `rng` in a fixed
 * order (crop row, crop column, flip) so a seed reproduces the batch.
 *
 * @param source - Pixels of the whole dataset (or one image).
 * @param sourceOffset - Index of the image's first value in `source`.
 * @param scale - Factor applied to each value (1/255 for bytes, 1 for floats).
 * @param shape - Image shape `[H, W, C]`.
 * @param options - Padding of the crop and whether to flip.
 * @param rng - Seeded generator the crop offsets and the flip are drawn from.
 * @param target - Output buffer (float).
 * @param targetOffset - Index where the output image starts in `target`.
 */
export function augmentImage(
  source: ArrayLike<number>,
  sourceOffset: number,
  scale: number,
  shape: readonly [number, number, number],
  options: Required<AugmentOptions>,
  rng: SeededRandom,
  target: Float32Array,
  targetOffset: number,
): void {
  const [height, width, channels] = shape;
  const padding = options.padding;
  const dy = padding > 0 ? rng.nextInt(2 * padding + 1) - padding : 0;
  const dx = padding > 0 ? rng.nextInt(2 * padding + 1) - padding : 0;
  const flip = options.horizontalFlip ? rng.next() < 0.5 : false;
  for (let y = 0; y < height; y++) {
    const sy = y + dy;
    for (let x = 0; x < width; x++) {
      const outBase = targetOffset + (y * width + x) * channels;
      const cropX = flip ? width - 1 - x : x;
      const sx = cropX + dx;
      if (sy < 0 || sy >= height || sx < 0 || sx >= width) {
        for (let c = 0; c < channels; c++) target[outBase + c] = 0;
        continue;
      }
      const inBase = sourceOffset + (sy * width + sx) * channels;
      for (let c = 0; c < channels; c++)
        target[outBase + c] = (source[inBase + c] as number) * scale;
    }
  }
}
