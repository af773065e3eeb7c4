import path from 'node:path';

/**
 * NSFWJS 4.4.0 (devDependency) ships MobileNetV2 ([-1, 224, 224, 3] → 5 classes) as
 * JS-wrapped files: `model.min.js` exports the model.json object, `group1-shard1of1.min.js` the
 * weight shard as base64. This turns them back into the files a user would import. `require` is the caller's (`createRequire(
 * import.meta.url)`), since nsfwjs is a devDependency of those apps, not of this package.
 */
export function nsfwjsMobileNetV2(require: NodeJS.Require): {
  files: Array<{ path: string; bytes: Uint8Array }>;
  labels: string[];
} {
  // The package's exports map hides these files; its resolved entry point locates them.
  const root = path.resolve(path.dirname(require.resolve('nsfwjs')), '..', '..');
  const dir = path.join(root, 'dist', 'models', 'mobilenet_v2');
  const modelJson = require(path.join(dir, 'model.min.js')) as {
    weightsManifest: Array<{ paths: string[] }>;
  };
  const files = [
    { path: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(modelJson)) },
  ];
  for (const shard of modelJson.weightsManifest.flatMap((g) => g.paths)) {
    const base64 = require(path.join(dir, `${shard}.min.js`)) as string;
    files.push({ path: shard, bytes: new Uint8Array(Buffer.from(base64, 'base64')) });
  }
  const classes = (
    require(path.join(root, 'dist', 'cjs', 'nsfw_classes.js')) as {
      NSFW_CLASSES: Record<number, string>;
    }
  ).NSFW_CLASSES;
  const labels = Object.keys(classes)
    .map(Number)
    .sort((a, b) => a - b)
    .map((i) => classes[i]!);
  return { files, labels };
}
