/** A published checksum of a dataset file. */
export interface FileChecksum {
  /** Hash algorithm. */
  algorithm: 'md5' | 'sha256';
  /** Hex digest. */
  digest: string;
}

/** A file of a dataset: its name at the source and its published checksum, when known. */
export interface DatasetFile {
  /** File name, appended to the base URL and used in the cache. */
  name: string;
  /** Published checksum; undefined when none is known (the loader then warns and checks what it can: size, gzip integrity, the integrity record). */
  checksum?: FileChecksum;
}

/** Where a downloadable dataset comes from. */
export interface DatasetSource {
  /** Cache sub-folder name. */
  id: 'mnist' | 'fashion-mnist' | 'cifar10' | 'cifar100';
  /** Official base URL (ends with '/'). */
  baseUrl: string;
  /** The files. */
  files: Record<string, DatasetFile>;
}

/**
 * MNIST's four IDX files. Official site: Yann LeCun's page; it often refuses automated
 * downloads (HTTP 403), so pass `baseUrl` for a mirror, e.g.
 * `https://ossci-datasets.s3.amazonaws.com/mnist/` or
 * `https://storage.googleapis.com/cvdf-datasets/mnist/`. MD5s as published by torchvision for
 * these exact files.
 */
export const MNIST_SOURCE: DatasetSource = {
  id: 'mnist',
  baseUrl: 'https://yann.lecun.com/exdb/mnist/',
  files: {
    trainImages: {
      name: 'train-images-idx3-ubyte.gz',
      checksum: { algorithm: 'md5', digest: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
    },
    trainLabels: {
      name: 'train-labels-idx1-ubyte.gz',
      checksum: { algorithm: 'md5', digest: 'd53e105ee54ea40749a09fcbcd1e9432' },
    },
    testImages: {
      name: 't10k-images-idx3-ubyte.gz',
      checksum: { algorithm: 'md5', digest: '9fb629c4189551a2d022fa330f9573f3' },
    },
    testLabels: {
      name: 't10k-labels-idx1-ubyte.gz',
      checksum: { algorithm: 'md5', digest: 'ec29112dd5afa0611ce80d1b7f02629c' },
    },
  },
};

/** Fashion-MNIST's four IDX files (Zalando Research); MD5s as published in its README / torchvision. */
export const FASHION_MNIST_SOURCE: DatasetSource = {
  id: 'fashion-mnist',
  baseUrl: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  files: {
    trainImages: {
      name: 'train-images-idx3-ubyte.gz',
      checksum: { algorithm: 'md5', digest: '8d4fb7e6c68d591d4c3dfef9ec88bf0d' },
    },
    trainLabels: {
      name: 'train-labels-idx1-ubyte.gz',
      checksum: { algorithm: 'md5', digest: '25c81989df183df01b3e8a0aad5dffbe' },
    },
    testImages: {
      name: 't10k-images-idx3-ubyte.gz',
      checksum: { algorithm: 'md5', digest: 'bef4ecab320f06d8554ea6380940ec79' },
    },
    testLabels: {
      name: 't10k-labels-idx1-ubyte.gz',
      checksum: { algorithm: 'md5', digest: 'bb300cfdad3c16e7a12a480ee83cd310' },
    },
  },
};

/** CIFAR-10 binary version; MD5 as published on https://www.cs.toronto.edu/~kriz/cifar.html. */
export const CIFAR10_SOURCE: DatasetSource = {
  id: 'cifar10',
  baseUrl: 'https://www.cs.toronto.edu/~kriz/',
  files: {
    archive: {
      name: 'cifar-10-binary.tar.gz',
      checksum: { algorithm: 'md5', digest: 'c32a1d4ab5d03f1284b67883e8d87530' },
    },
  },
};

/** CIFAR-100 binary version; MD5 as published on https://www.cs.toronto.edu/~kriz/cifar.html. */
export const CIFAR100_SOURCE: DatasetSource = {
  id: 'cifar100',
  baseUrl: 'https://www.cs.toronto.edu/~kriz/',
  files: {
    archive: {
      name: 'cifar-100-binary.tar.gz',
      checksum: { algorithm: 'md5', digest: '03b5dce01913d631647c71ecec9e9cb8' },
    },
  },
};
