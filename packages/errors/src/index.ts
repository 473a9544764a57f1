export { closestName, closestNames, editDistance } from './closest-name';
export { GeokdError } from './geokd-error';
export { InvalidArgumentError, type InvalidArgumentErrorOptions } from './invalid-argument-error';
export { UnknownNameError, type UnknownNameErrorOptions } from './unknown-name-error';
