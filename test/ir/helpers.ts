/**
 * Test helpers mirroring the reference's tests/__init__.py mocks, with a seeded PRNG so every
 * random weight is reproducible (the tests' one seeded generator + Box–Muller normal samples).
 */
import { rng } from "../support/index.js";
import { Affine, Conv1d, Conv2d, Delay, I, Input, Linear, Output, type Tensor } from "../../src/ir/index.js";

let uniform = rng(12345);
/** Reseeds the shared generator (call in beforeEach for reproducible tests). */
export function seed(s: number): void {
  uniform = rng(s);
}

/** numpy `random.randn(*shape)` as a float64 tensor. */
export function randn(...shape: number[]): Tensor<"float64"> {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - uniform(), v = uniform();
    data[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return { dtype: "float64", shape, data };
}

/** numpy `random.random(shape)` / `rand` as a float64 tensor. */
export function rand(...shape: number[]): Tensor<"float64"> {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = uniform();
  return { dtype: "float64", shape, data };
}

/** Transpose of a 2-D tensor (numpy `.T`). */
export function transpose(t: Tensor<"float64">): Tensor<"float64"> {
  const [r, c] = t.shape;
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j];
  return { dtype: "float64", shape: [c, r], data: out };
}

/** `mock_linear(*shape)` = Linear(weight = randn(shape).T). */
export const mockLinear = (a: number, b: number) => Linear({ weight: transpose(randn(a, b)) });
/** `mock_affine(a, b)` = Affine(randn(a, b).T, randn(b)): an a → b map. */
export const mockAffine = (a: number, b: number) => Affine({ weight: transpose(randn(a, b)), bias: randn(b) });
/** `mock_input(*shape)`. */
export const mockInput = (...shape: number[]) => Input({ shape });
/** `mock_output(*shape)`. */
export const mockOutput = (...shape: number[]) => Output({ shape });
/** `mock_integrator(*shape)` = I(r = randn). */
export const mockIntegrator = (...shape: number[]) => I({ r: randn(...shape) });
/** `mock_delay(*shape)` = Delay(randn). */
export const mockDelay = (...shape: number[]) => Delay({ delay: randn(...shape) });
/** `mock_conv(input_shape, weight_shape)`: stride 1, padding 0, dilation 1, groups 1. */
export function mockConv(inputShape: number | number[], weight: number[]) {
  const opts = { input_shape: inputShape, weight: randn(...weight), bias: randn(weight[0]), stride: 1, padding: 0, dilation: 1, groups: 1 };
  return weight.length === 4 ? Conv2d(opts) : Conv1d(opts);
}

/** Values of a tensor as numbers (for toEqual on typed arrays of any dtype). */
export const values = (t: Tensor | null | undefined): number[] => (t ? Array.from(t.data, (x) => Number(x)) : []);
