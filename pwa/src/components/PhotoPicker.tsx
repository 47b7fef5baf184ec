/** Choosing evidence photos: each is compressed, hashed and stored on the phone at once. */
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n";
import { storePhoto } from "../photos";

export interface PickedPhoto {
  sha256: string;
  url: string;
}

interface Props {
  assetId: number;
  photos: PickedPhoto[];
  onChange: (photos: PickedPhoto[]) => void;
  testid?: string;
  label?: string;
  id: string;
  /** Told while photos are being compressed, so a form can hold its submit until they are stored. */
  onBusy?: (busy: boolean) => void;
}

export function PhotoPicker({ assetId, photos, onChange, testid = "photo-input", label, id, onBusy }: Props) {
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Photos chosen while an earlier batch still compresses are added to the latest list, not an old one.
  const latest = useRef(photos);
  latest.current = photos;
  useEffect(() => () => photos.forEach((photo) => URL.revokeObjectURL(photo.url)), []);

  const pick = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const files = [...(input.files ?? [])];
    if (!files.length) return;
    setWorking(true);
    onBusy?.(true);
    setError(null);
    try {
      const added: PickedPhoto[] = [];
      for (const file of files) {
        const stored = await storePhoto(file, assetId);
        if (![...latest.current, ...added].some((photo) => photo.sha256 === stored.sha256)) {
          added.push({ sha256: stored.sha256, url: URL.createObjectURL(stored.blob) });
        }
      }
      onChange([...latest.current, ...added]);
    } catch (failure) {
      setError(t("error.generic", { message: (failure as Error).message }));
    } finally {
      setWorking(false);
      onBusy?.(false);
      input.value = "";
    }
  };

  return (
    <div class="field">
      {label && <span class="field-label">{label}</span>}
      {/* The browser's own file button speaks the browser's language: a button of ours stands in for it. */}
      <input
        id={id}
        class="visually-hidden"
        type="file"
        accept="image/*"
        multiple
        data-testid={testid}
        onChange={pick}
      />
      <label for={id} class="button-like file-button">
        {t("photo.add")}
      </label>
      {working && <p class="hint">{t("photo.working")}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ul class="thumbs">
        {photos.map((photo) => (
          <li key={photo.sha256}>
            <img src={photo.url} alt="" data-testid="photo-thumb" data-sha256={photo.sha256} />
            <button
              type="button"
              class="thumb-remove"
              aria-label={t("photo.remove")}
              onClick={() => onChange(photos.filter((other) => other.sha256 !== photo.sha256))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
