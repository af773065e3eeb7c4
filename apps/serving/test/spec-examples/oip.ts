/**
 * The Open Inference Protocol's REST text (github.com/kserve/open-inference-protocol,
 * specification/protocol/inference_rest.md) and KServe's V2 protocol pages it came from.
 */

/** "Inference Request Examples", verbatim: a model with inputs input0 and input1. */
export const specInferRequest = {
  id: '42',
  inputs: [
    { name: 'input0', shape: [2, 2], datatype: 'UINT32', data: [1, 2, 3, 4] },
    { name: 'input1', shape: [3], datatype: 'BOOL', data: [true] },
  ],
  outputs: [{ name: 'output0' }],
};

/** The same request for half_plus_three (input x, output value): natural and flat data. */
export const halfPlusThreeRequest = {
  id: '42',
  inputs: [{ name: 'x', shape: [3, 1], datatype: 'FP32', data: [[1.0], [2.0], [5.0]] }],
  outputs: [{ name: 'value' }],
};
export const halfPlusThreeResponse = {
  model_name: 'saved_model_half_plus_three',
  id: '42',
  outputs: [{ name: 'value', shape: [3], datatype: 'FP32', data: [3.5, 4.0, 5.5] }],
};

/**
 * "Model Ready": `{"name": $string, "ready": $bool}`; "A 200 status code indicates true and a
 * 4xx status code indicates false" (KServe's V2 protocol, health APIs). A model the server
 * does not have is no model: 404, with the protocol's `{"error": $string}`.
 */
export const readyBody = (name: string, ready: boolean) => ({ name, ready });
