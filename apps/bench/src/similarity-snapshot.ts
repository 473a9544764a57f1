import { labelSmoothness, similarityGraph } from '@geokd/graph-construction';
import type { FeatureModel } from '@geokd/models';
import * as tf from '@tensorflow/tfjs-core';
import type { SimilarityPanel } from './similarity-heatmap-chart';

/**
 * The similarity graph (graph-construction defaults: cosine, no self-loops, symmetric
 * normalisation) of `model`'s features at each tap on the batch `x`, in inference mode, with
 * its label smoothness (the fraction of edge weight that crosses classes). Leaks no tensor. Reads
 * with `await data()`: synchronous reads throw on WebGPU in Node.
 */
export async function similaritySnapshot(
  model: FeatureModel,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  taps: readonly string[],
  label: string,
): Promise<SimilarityPanel[]> {
  const graphs = tf.tidy(() => {
    const { features } = model.apply(x, { training: false });
    return taps.map((tap) => {
      const adjacency = similarityGraph(features[tap]!);
      return { adjacency, smoothness: labelSmoothness(adjacency, labels, { normalized: true }) };
    });
  });
  const panels: SimilarityPanel[] = [];
  for (const [index, tap] of taps.entries()) {
    const { adjacency, smoothness } = graphs[index]!;
    const values = Array.from(await adjacency.data());
    const size = adjacency.shape[0]!;
    const smoothnessValue = (await smoothness.data())[0]!;
    adjacency.dispose();
    smoothness.dispose();
    panels.push({ tap, label, adjacency: values, size, smoothness: smoothnessValue });
  }
  return panels;
}
