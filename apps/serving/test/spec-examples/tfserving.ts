/**
 * Examples of TF Serving's REST API documentation, as written there:
 * github.com/tensorflow/serving, tensorflow_serving/g3doc/api_rest.md (published at
 * tensorflow.org/tfx/serving/api_rest). The model of its "Example" section is
 * `saved_model_half_plus_three` (y = 0.5·x + 3), rebuilt in ../support/half-plus-three.ts.
 */

export const HALF_PLUS_THREE = 'saved_model_half_plus_three';

/** `curl -d '{"instances": [1.0,2.0,5.0]}' -X POST …/saved_model_half_plus_three:predict` */
export const predictRequest = '{"instances": [1.0,2.0,5.0]}';
export const predictResponse = { predictions: [3.5, 4.0, 5.5] };

/**
 * `curl -d '{"signature_name": "tensorflow/serving/regress", "examples": [{"x": 1.0}, {"x":
 * 2.0}]}' -X POST …:regress` — the example answers `"results"`, the key TF Serving's code
 * writes (util/json_tensor.cc, kClassifyRegressResponseKey), although the format section
 * above it spells it `"result"`.
 */
export const regressRequest =
  '{"signature_name": "tensorflow/serving/regress", "examples": [{"x": 1.0}, {"x": 2.0}]}';
export const regressResponse = { results: [3.5, 4.0] };

/** `GET …/saved_model_half_plus_three`: every version with its state (the doc's is "123"). */
export const statusResponse = {
  model_version_status: [
    { version: '123', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
  ],
};

/** `curl -i -d '{"instances": [1.0,5.0]}' -X POST …/v1/models/half:predict` → 404. */
export const unknownModelRequest = '{"instances": [1.0,5.0]}';

/** The format section's classify request shape, with `context` features shared by examples. */
export const classifyRequestShape = {
  signature_name: 'tensorflow/serving/classify',
  context: { color: 'red' },
  examples: [
    { x: 1.5, y: 1.2 },
    { x: -1.8, y: -1.1 },
  ],
};
