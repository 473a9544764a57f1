import { describe, expect, it } from 'vitest';
import { describeAdapter, type GpuAdapterLike } from './webgpu-adapter';

function adapter(info: Record<string, unknown>, isFallbackAdapter?: boolean): GpuAdapterLike {
  return {
    features: { has: () => false },
    limits: {},
    info,
    ...(isFallbackAdapter === undefined ? {} : { isFallbackAdapter }),
    requestDevice: async () => ({}),
  };
}

describe('describeAdapter', () => {
  it('reports a hardware NVIDIA adapter as hardware', () => {
    expect(
      describeAdapter(
        adapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' }),
      ),
    ).toEqual({
      vendor: 'nvidia',
      architecture: 'hopper',
      description: 'NVIDIA H200',
      software: false,
    });
  });

  it('reports lavapipe (as Dawn describes it) as software', () => {
    const info = describeAdapter(
      adapter({
        vendor: 'mesa',
        architecture: 'software',
        device: 'llvmpipe-llvm-15-0-6-256-bits-',
        description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
        isFallbackAdapter: true,
      }),
    );
    expect(info.software).toBe(true);
    expect(info.description).toMatch(/^llvmpipe/);
  });

  it('reports SwiftShader, and any adapter flagged as a fallback, as software', () => {
    expect(
      describeAdapter(adapter({ vendor: 'google', architecture: '', description: 'SwiftShader' }))
        .software,
    ).toBe(true);
    expect(describeAdapter(adapter({ vendor: 'x', description: 'y' }, true)).software).toBe(true);
  });

  it('falls back to the device name when there is no description', () => {
    expect(describeAdapter(adapter({ vendor: 'amd', device: 'Radeon' })).description).toBe(
      'Radeon',
    );
  });
});
