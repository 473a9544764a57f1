/** Per-channel mean and standard deviation used by `batches({ normalize: true })`. */
export interface Normalization {
  /** Mean of each channel, in [0, 1] pixel units. */
  mean: number[];
  /** Standard deviation of each channel. */
  std: number[];
}

/** CIFAR-10 statistics as in the GKD seed code. */
export const CIFAR10_NORMALIZATION: Normalization = {
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.2023, 0.1994, 0.201],
};

/** CIFAR-100 statistics (the values commonly used with RepDistiller). */
export const CIFAR100_NORMALIZATION: Normalization = {
  mean: [0.5071, 0.4867, 0.4408],
  std: [0.2675, 0.2565, 0.2761],
};

/** MNIST statistics (mean 0.1307, std 0.3081). */
export const MNIST_NORMALIZATION: Normalization = { mean: [0.1307], std: [0.3081] };

/** Fashion-MNIST statistics (mean 0.2860, std 0.3530). */
export const FASHION_MNIST_NORMALIZATION: Normalization = { mean: [0.286], std: [0.353] };

/** Class names of CIFAR-10, in label order. */
export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/** Class names of Fashion-MNIST, in label order. */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Class names of MNIST: the digits '0'..'9'. */
export const MNIST_CLASS_NAMES: readonly string[] = [
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
];
