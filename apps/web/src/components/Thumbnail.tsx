import { useEffect, useState } from 'react';
import type { ImageCell } from '@mlops/contracts';
import { fetchImageUrl } from '../api/blobs';

/**
 * One image blob, fetched with the session's token into an object URL that is revoked when the
 * thumbnail goes away. Until it arrives (or if it cannot), a box of the image's size says so.
 */
export function Thumbnail({ image, alt }: { image: ImageCell; alt: string }) {
  const [state, setState] = useState<{ url: string } | { error: string } | null>(null);
  const { sha256, format } = image;
  useEffect(() => {
    const abort = new AbortController();
    let url: string | null = null;
    fetchImageUrl({ sha256, format }, abort.signal).then(
      (u) => {
        url = u;
        if (abort.signal.aborted) URL.revokeObjectURL(u);
        else setState({ url: u });
      },
      (err: unknown) => {
        if (!abort.signal.aborted) setState({ error: (err as Error).message });
      },
    );
    return () => {
      abort.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [sha256, format]); // a new profile object for the same blob fetches nothing again
  const size = { width: image.width, height: image.height };
  if (state && 'url' in state)
    return <img className="thumbnail" src={state.url} alt={alt} {...size} />;
  return (
    <span
      className="thumbnail placeholder"
      role="img"
      aria-label={state ? `${alt} (not loaded: ${state.error})` : `${alt} (loading)`}
      style={size}
    />
  );
}
