import * as tf from '@tensorflow/tfjs-core';

/** One parameter's place in the flat vector of a {@link ParameterLayout}. */
interface ParameterSpan {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

/**
 * The parameters of an optimiser laid end to end in one flat float32 vector, in the order
 * given: parameter `i` holds elements `[offset, offset + size)`. Optimisers keep their slots
 * (momentum, moments) as such vectors and update every parameter with a handful of
 * element-wise ops on them instead of a handful per parameter: on a GPU each op is a kernel
 * dispatch, which costs far more than the arithmetic of a small tensor.
 * @internal
 */
export class ParameterLayout {
  readonly spans: readonly ParameterSpan[];
  /** Elements in all parameters together. */
  readonly size: number;

  constructor(parameters: readonly { name: string; variable: tf.Variable }[]) {
    let offset = 0;
    this.spans = parameters.map(({ name, variable }) => {
      const span = { name, shape: variable.shape, offset, size: variable.size };
      offset += variable.size;
      return span;
    });
    this.size = offset;
  }

  /**
   * The tensors, one per parameter in layout order, flattened and concatenated (one `Concat`
   * kernel; reshapes are free). Pass only tensors of this layout's shapes.
   */
  concat(tensors: readonly tf.Tensor[]): tf.Tensor1D {
    return tf.concat(
      tensors.map((tensor) => tf.reshape(tensor, [-1])),
      0,
    ) as tf.Tensor1D;
  }

  /** Parameter `index`'s elements of the flat vector `flat`, in the parameter's shape. */
  slice(flat: tf.Tensor1D, index: number): tf.Tensor {
    const span = this.spans[index]!;
    return tf.reshape(tf.slice(flat, [span.offset], [span.size]), [...span.shape]);
  }

  /**
   * A flat vector holding `valueAt(i)` at every element of parameter `i`: per-element
   * coefficients such as a weight-decay mask (`'bool'`: non-zero is true). Built on the host
   * and uploaded, no kernel.
   */
  fill(valueAt: (index: number) => number, dtype: 'float32' | 'bool' = 'float32'): tf.Tensor1D {
    const values = dtype === 'bool' ? new Uint8Array(this.size) : new Float32Array(this.size);
    this.spans.forEach((span, index) => {
      values.fill(valueAt(index), span.offset, span.offset + span.size);
    });
    return tf.tensor1d(values, dtype);
  }
}
