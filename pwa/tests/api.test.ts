import { afterEach, describe, expect, it } from "vitest";
import { api, ApiError, NetworkError, onConnectivity, setFetch, setToken } from "../src/api";

const answer = (status: number, body: unknown) =>
  setFetch((async () => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } })) as typeof fetch);

afterEach(() => setToken(null));

describe("api", () => {
  it("sends the device's bearer token", async () => {
    let seen: Headers | null = null;
    setFetch((async (_: RequestInfo | URL, init?: RequestInit) => {
      seen = new Headers(init?.headers);
      return new Response("{}", { status: 200 });
    }) as typeof fetch);
    setToken("t0k3n");
    await api("/api/auth/me");
    expect(seen!.get("Authorization")).toBe("Bearer t0k3n");
  });

  it("turns flask-smorest's error shape into field messages", async () => {
    answer(422, {
      code: 422,
      status: "Unprocessable Entity",
      errors: { json: { commands: { "3": { device_seq: ["Not ascending."] } }, protocol_version: ["Use 1."] } },
    });
    const error = await api("/api/sync/push", { method: "POST", json: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).fields).toEqual({
      "commands.3.device_seq": ["Not ascending."],
      protocol_version: ["Use 1."],
    });
    expect((error as ApiError).message).toBe("Not ascending.");
  });

  it("keeps the server's message when no field is named", async () => {
    answer(401, { code: 401, status: "Unauthorized", message: "This device was revoked; sign in again." });
    await expect(api("/api/sync/pull")).rejects.toThrow("This device was revoked; sign in again.");
  });

  it("reports a request that got no answer as a network error, and the server as unreachable", async () => {
    const seen: boolean[] = [];
    const stop = onConnectivity((value) => seen.push(value));
    setFetch((async () => {
      throw new TypeError("Failed to fetch");
    }) as typeof fetch);
    await expect(api("/api/sync/pull")).rejects.toBeInstanceOf(NetworkError);
    answer(200, {});
    await api("/api/sync/pull");
    stop();
    expect(seen).toEqual([false, true]);
  });
});
