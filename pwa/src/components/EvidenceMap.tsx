/** The applicant's fix against the fence, drawn in local metres. */
import { t } from "../i18n";

type Ring = [number, number][];

function rings(fence: unknown): Ring[] {
  const geometry = (typeof fence === "string" ? JSON.parse(fence) : fence) as
    | { type: string; coordinates: unknown }
    | null;
  if (!geometry) return [];
  if (geometry.type === "Polygon") return geometry.coordinates as Ring[];
  if (geometry.type === "MultiPolygon") return (geometry.coordinates as Ring[][]).flat();
  return [];
}

interface Props {
  fence: unknown;
  radius_m: number | null;
  latitude: number | null;
  longitude: number | null;
  accuracy_m: number | null;
}

export function EvidenceMap({ fence, radius_m, latitude, longitude, accuracy_m }: Props) {
  const outlines = rings(fence);
  const point = (() => {
    const geometry = (typeof fence === "string" ? JSON.parse(fence) : fence) as { type?: string; coordinates?: [number, number] } | null;
    return geometry?.type === "Point" ? geometry.coordinates ?? null : null;
  })();
  const all: [number, number][] = [...outlines.flat(), ...(point ? [point] : [])];
  if (latitude !== null && longitude !== null) all.push([longitude, latitude]);
  if (!all.length) {
    return (
      <div class="map" data-testid="evidence-map">
        <p class="hint">{t("approvals.noGps")}</p>
      </div>
    );
  }
  const lat0 = all.reduce((sum, [, lat]) => sum + lat, 0) / all.length;
  const lon0 = all.reduce((sum, [lon]) => sum + lon, 0) / all.length;
  const k = (Math.PI / 180) * 6_371_008.8;
  const cos = Math.cos((lat0 * Math.PI) / 180);
  const xy = ([lon, lat]: [number, number]): [number, number] => [(lon - lon0) * k * cos, -(lat - lat0) * k];
  const projected = all.map(xy);
  const extra = Math.max(radius_m ?? 0, accuracy_m ?? 0, 20);
  const xs = projected.map(([x]) => x);
  const ys = projected.map(([, y]) => y);
  const minX = Math.min(...xs) - extra;
  const minY = Math.min(...ys) - extra;
  const width = Math.max(...xs) + extra - minX;
  const height = Math.max(...ys) + extra - minY;
  const stroke = Math.max(width, height) / 150;
  const fix = latitude !== null && longitude !== null ? xy([longitude, latitude]) : null;
  return (
    <figure class="map-figure">
    <svg
      class="map"
      data-testid="evidence-map"
      viewBox={`${minX} ${minY} ${width} ${height}`}
      role="img"
      aria-label={t("approvals.evidence")}
    >
      {outlines.map((ring, i) => (
        <polygon key={i} data-testid="evidence-map-fence" points={ring.map((p) => xy(p).join(",")).join(" ")} fill="#2e7d3233" stroke="#2e7d32" stroke-width={stroke} />
      ))}
      {point && radius_m && <circle cx={xy(point)[0]} cy={xy(point)[1]} r={radius_m} fill="#2e7d3233" stroke="#2e7d32" stroke-width={stroke} />}
      {fix && accuracy_m !== null && <circle data-testid="evidence-map-accuracy" cx={fix[0]} cy={fix[1]} r={Math.max(accuracy_m, stroke)} fill="#1565c033" stroke="#1565c0" stroke-width={stroke} />}
      {fix && <circle cx={fix[0]} cy={fix[1]} r={stroke * 3} fill="#1565c0" data-testid="evidence-map-fix" />}
    </svg>
      <figcaption class="legend" data-testid="evidence-legend">
        <span class="legend-item">
          <span class="swatch swatch-fence" aria-hidden="true" />
          {t("screens.evidence.legendFence")}
        </span>
        {fix && (
          <span class="legend-item">
            <span class="swatch swatch-fix" aria-hidden="true" />
            {t("screens.evidence.legendFix")}
          </span>
        )}
        {fix && accuracy_m !== null && (
          <span class="legend-item">
            <span class="swatch swatch-accuracy" aria-hidden="true" />
            {t("screens.evidence.legendAccuracy")} (±{t("screens.metres", { n: Math.round(accuracy_m) })})
          </span>
        )}
      </figcaption>
    </figure>
  );
}
