import { useEffect, useId, useState, type DragEvent } from 'react';
import type { TensorInput } from '@mlops/contracts';

/**
 * Pick or drop one image; choosing it sends it, "Predict" sends it again (another target, say).
 * Nothing is checked here: serving decodes images and its refusal (too large, not an image) is
 * the message shown.
 */
export function ImageDrop({
  input,
  busy,
  onImage,
}: {
  input: Extract<TensorInput, { kind: 'image' }>;
  busy: boolean;
  onImage: (file: File) => void;
}) {
  const fileId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [over, setOver] = useState(false);
  const [preview, setPreview] = useState<string | null>(null);
  useEffect(() => {
    if (!file) return;
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);
  const choose = (f: File | null | undefined) => {
    if (!f) return;
    setFile(f);
    onImage(f);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    choose(e.dataTransfer.files[0]);
  };
  const { height, width, channels } = input.decoding;
  return (
    <div
      className={`drop-zone${over ? ' drop-over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p className="muted">
        Drop an image here or choose one. Serving decodes it to {width}×{height}×{channels} for
        input <code>{input.name}</code>.
      </p>
      <div className="form-row">
        <label htmlFor={fileId}>
          Image (JPEG or PNG)
          <input
            id={fileId}
            type="file"
            accept="image/jpeg,image/png"
            onChange={(e) => choose(e.target.files?.[0])}
          />
        </label>
        <button type="button" disabled={busy || !file} onClick={() => file && onImage(file)}>
          {busy ? 'Predicting…' : 'Predict'}
        </button>
      </div>
      {file && preview ? (
        <figure className="try-preview">
          <img src={preview} alt={`Image sent: ${file.name}`} />
          <figcaption className="muted">
            {file.name}, {file.size} bytes
          </figcaption>
        </figure>
      ) : null}
    </div>
  );
}
