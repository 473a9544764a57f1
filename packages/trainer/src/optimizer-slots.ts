import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';

/** Zero-initialised slot variables, one per parameter, named `${prefix}/${parameter}`. */
export class OptimizerSlots {
  readonly variables = new Map<string, tf.Variable>();

  constructor(
    readonly prefix: string,
    parameters: readonly { name: string; variable: tf.Variable }[],
  ) {
    for (const parameter of parameters) {
      // The initial zeros are a tensor of their own: dispose them once the variable holds them.
      const zeros = tf.zerosLike(parameter.variable);
      this.variables.set(
        parameter.name,
        tf.variable(zeros, false, undefined, parameter.variable.dtype),
      );
      zeros.dispose();
    }
  }

  get(name: string): tf.Variable {
    return this.variables.get(name)!;
  }

  collect(into: Record<string, tf.Tensor>): void {
    for (const [name, variable] of this.variables) into[`${this.prefix}/${name}`] = variable;
  }

  restore(slots: Record<string, tf.Tensor>, functionName: string): void {
    for (const [name, variable] of this.variables) {
      const key = `${this.prefix}/${name}`;
      const value = slots[key];
      if (value === undefined) {
        throw new InvalidArgumentError({
          functionName,
          argument: `state.slots['${key}']`,
          expected: 'present',
          received: 'nothing',
        });
      }
      if (value.shape.join(',') !== variable.shape.join(',')) {
        throw new InvalidArgumentError({
          functionName,
          argument: `state.slots['${key}']`,
          expected: `shape [${variable.shape.join(', ')}]`,
          received: `shape [${value.shape.join(', ')}]`,
        });
      }
    }
    for (const [name, variable] of this.variables)
      variable.assign(slots[`${this.prefix}/${name}`]!);
  }

  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    this.variables.clear();
  }
}
