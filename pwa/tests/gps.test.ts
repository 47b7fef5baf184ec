import { describe, expect, it } from "vitest";
import { captureFix, distanceToFence, GpsDenied, precheck, type GpsFix } from "../src/gps";

/** A Lujiazui office block in Shanghai (lon, lat), about 120 m × 110 m. */
const OFFICE = {
  type: "Polygon",
  coordinates: [
    [
      [121.5046, 31.2330],
      [121.5060, 31.2330],
      [121.5060, 31.2340],
      [121.5046, 31.2340],
      [121.5046, 31.2330],
    ],
  ],
};
const PROJECT = { geofence: OFFICE, geofence_radius_m: null, gps_tolerance_m: "10.0", gps_max_accuracy_m: "50.0" };

/** Great-circle distance on the mean sphere: an independent reference for the checks below. */
function haversine(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(a));
}

const fix = (latitude: number, longitude: number, accuracy_m = 8): GpsFix => ({
  latitude,
  longitude,
  accuracy_m,
  captured_at: "2026-11-23T02:00:00Z",
});

describe("distanceToFence", () => {
  it("is 0 inside the polygon", () => {
    expect(distanceToFence(31.23352, 121.50521, OFFICE)).toBe(0);
  });

  it("measures the distance to the nearest edge outside, in metres", () => {
    const east = distanceToFence(31.2335, 121.511, OFFICE)!;
    expect(Math.abs(east - haversine(31.2335, 121.506, 31.2335, 121.511))).toBeLessThan(2);
    expect(east).toBeGreaterThan(470);
    expect(east).toBeLessThan(480);
    const north = distanceToFence(31.2350, 121.5050, OFFICE)!;
    expect(Math.abs(north - haversine(31.234, 121.505, 31.235, 121.505))).toBeLessThan(2);
    // Beyond a corner the nearest point is the corner itself.
    const corner = distanceToFence(31.2345, 121.5065, OFFICE)!;
    expect(Math.abs(corner - haversine(31.234, 121.506, 31.2345, 121.5065))).toBeLessThan(2);
  });

  it("treats a hole as outside and handles multipolygons", () => {
    const withCourtyard = {
      type: "Polygon",
      coordinates: [
        OFFICE.coordinates[0],
        [
          [121.5050, 31.2333],
          [121.5056, 31.2333],
          [121.5056, 31.2337],
          [121.5050, 31.2337],
          [121.5050, 31.2333],
        ],
      ],
    };
    const inCourtyard = distanceToFence(31.2335, 121.5053, withCourtyard)!;
    expect(inCourtyard).toBeGreaterThan(15);
    const campus = { type: "MultiPolygon", coordinates: [OFFICE.coordinates, [[[121.52, 31.24], [121.521, 31.24], [121.521, 31.241], [121.52, 31.241], [121.52, 31.24]]]] };
    expect(distanceToFence(31.2405, 121.5205, campus)).toBe(0);
  });

  it("uses the radius around a point fence", () => {
    const gate = { type: "Point", coordinates: [121.5052, 31.2335] };
    expect(distanceToFence(31.2335, 121.5052, gate, 50)).toBe(0);
    const away = distanceToFence(31.2345, 121.5052, gate, 50)!;
    expect(Math.abs(away - (haversine(31.2335, 121.5052, 31.2345, 121.5052) - 50))).toBeLessThan(2);
  });
});

describe("precheck", () => {
  it("says inside for a good fix on site", () => {
    expect(precheck(fix(31.23352, 121.50521), PROJECT)).toEqual({ state: "inside", distance_m: 0, accuracy_m: 8 });
  });

  it("says outside by N metres for a fix down the road", () => {
    const result = precheck(fix(31.2335, 121.511), PROJECT);
    expect(result.state).toBe("outside");
    expect(Math.abs(result.distance_m! - haversine(31.2335, 121.506, 31.2335, 121.511))).toBeLessThan(2);
  });

  it("lets a fix just outside pass within accuracy plus tolerance, as the server does", () => {
    // About 15 m east of the fence: 15 - 8 (accuracy) <= 10 (tolerance).
    const near = precheck(fix(31.2335, 121.50616), PROJECT);
    expect(near.distance_m!).toBeGreaterThan(14);
    expect(near.distance_m!).toBeLessThan(17);
    expect(near.state).toBe("inside");
    expect(precheck(fix(31.2335, 121.50616, 3), PROJECT).state).toBe("outside");
  });

  it("says poor when the accuracy is worse than the project's maximum", () => {
    expect(precheck(fix(31.23352, 121.50521, 65), PROJECT).state).toBe("poor");
    expect(precheck(fix(31.23352, 121.50521, 65), { ...PROJECT, gps_max_accuracy_m: "100" }).state).toBe("inside");
  });

  it("prefers the asset's own fence to the project's, and says unknown without any", () => {
    const asset = { geofence: { type: "Point", coordinates: [121.52, 31.24] }, geofence_radius_m: "30" };
    expect(precheck(fix(31.23352, 121.50521), PROJECT, asset).state).toBe("outside");
    expect(precheck(fix(31.23352, 121.50521), { gps_tolerance_m: 10 }).state).toBe("unknown");
  });
});

function fakeGeolocation(script: (success: PositionCallback, failure: PositionErrorCallback) => void): Geolocation {
  return {
    watchPosition: (success, failure) => {
      script(success, failure!);
      return 1;
    },
    clearWatch: () => undefined,
    getCurrentPosition: () => undefined,
  } as Geolocation;
}

const position = (accuracy: number, latitude = 31.2335): GeolocationPosition =>
  ({ coords: { latitude, longitude: 121.5052, accuracy }, timestamp: Date.parse("2026-11-23T02:00:00Z") }) as GeolocationPosition;

describe("captureFix", () => {
  it("keeps the most accurate fix seen while watching", async () => {
    const seen: number[] = [];
    const best = await captureFix(
      20,
      (f) => seen.push(f.accuracy_m),
      fakeGeolocation((success) => {
        success(position(40, 31.1));
        success(position(9, 31.2));
        success(position(25, 31.3));
      }),
    );
    expect(best.accuracy_m).toBe(9);
    expect(best.latitude).toBe(31.2);
    expect(seen).toEqual([40, 9]);
    expect(best.captured_at).toBe("2026-11-23T02:00:00.000Z");
  });

  it("reports a refused permission", async () => {
    const denied = fakeGeolocation((_, failure) => failure({ code: 1, message: "denied" } as GeolocationPositionError));
    await expect(captureFix(20, undefined, denied)).rejects.toBeInstanceOf(GpsDenied);
  });
});
