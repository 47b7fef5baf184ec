/** An in-memory LeaseKeeper server speaking sync protocol v1, with faults to inject. */

interface Command {
  op_id: string;
  device_seq: number;
  name: string;
  args: Record<string, unknown>;
}

export interface Entity {
  entity: string;
  id: number;
  data?: Record<string, unknown>;
  deleted?: boolean;
}

export class FakeServer {
  lastAppliedSeq = 0;
  applied: Command[] = [];
  photos = new Map<string, number>();
  photoPuts = 0;
  pushes: Command[][] = [];
  telemetry: unknown[] = [];
  /** The feed: every change with its server sequence. */
  changes: { seq: number; entity: Entity }[] = [];
  /** The newest pruned change: a cursor below it is answered 410. */
  horizon = 0;
  private seq = 0;
  /** Faults for the next requests, consumed in order. */
  dropBeforePush = 0;
  dropAfterPush = 0;
  transientAt: number | null = null;
  dropPhotoPut = 0;
  /** Answer this many pulls 503 (the database busy), as a server under load may. */
  busyPulls = 0;
  rejectWhen: (command: Command) => string | null = () => null;
  /** Answer 413 to pushes of more commands than this. */
  maxCommands = Infinity;

  record(entity: Entity): void {
    this.seq += 1;
    this.changes.push({ seq: this.seq, entity });
  }

  fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), "http://phone.test");
    const method = init.method ?? "GET";
    const photo = /^\/api\/photos\/([0-9a-f]{64})$/.exec(url.pathname);
    if (photo && method === "GET") {
      return this.photos.has(photo[1]) ? json(200, { sha256: photo[1] }) : json(404, { message: "Not Found" });
    }
    if (photo && method === "PUT") {
      if (this.dropPhotoPut > 0) {
        this.dropPhotoPut -= 1;
        throw new TypeError("Failed to fetch");
      }
      this.photoPuts += 1;
      const created = !this.photos.has(photo[1]);
      this.photos.set(photo[1], Number(url.searchParams.get("asset_id")));
      return json(created ? 201 : 200, { sha256: photo[1] });
    }
    if (url.pathname === "/api/sync/push" && method === "POST") return this.push(JSON.parse(String(init.body)));
    if (url.pathname === "/api/sync/pull" && method === "POST") return this.pull(JSON.parse(String(init.body)));
    return json(404, { message: "Not Found" });
  };

  private push(body: { commands: Command[]; telemetry: unknown }): Response {
    if (this.dropBeforePush > 0) {
      this.dropBeforePush -= 1;
      throw new TypeError("Failed to fetch");
    }
    if (body.commands.length > this.maxCommands) {
      return json(413, { code: 413, status: "Payload Too Large", message: "The request body is too large." });
    }
    this.pushes.push(body.commands);
    this.telemetry.push(body.telemetry);
    const results: Record<string, unknown>[] = [];
    let stopped: Record<string, unknown> | null = null;
    for (const command of body.commands) {
      if (command.device_seq <= this.lastAppliedSeq) {
        results.push({ op_id: command.op_id, device_seq: command.device_seq, status: "duplicate" });
        continue;
      }
      if (command.device_seq > this.lastAppliedSeq + 1) {
        stopped = { reason: "gap", waiting_for_seq: this.lastAppliedSeq + 1, message: "gap" };
        break;
      }
      if (this.transientAt === command.device_seq) {
        this.transientAt = null;
        stopped = { reason: "transient", retry_after: 5, message: "busy" };
        break;
      }
      this.lastAppliedSeq = command.device_seq;
      const refusal = this.rejectWhen(command);
      if (refusal) {
        results.push({ op_id: command.op_id, device_seq: command.device_seq, status: "rejected", code: refusal, message: `Refused: ${refusal}`, fields: {} });
        continue;
      }
      this.applied.push(command);
      const id = this.applied.length;
      this.record({ entity: "status_request", id, data: { id, asset_id: command.args.asset_id, state: "pending" } });
      results.push({ op_id: command.op_id, device_seq: command.device_seq, status: "applied", result: { id, state: "pending" } });
    }
    const answer = json(200, { protocol_version: 1, results, last_applied_seq: this.lastAppliedSeq, stopped, cursor: "" });
    if (this.dropAfterPush > 0) {
      this.dropAfterPush -= 1;
      throw new TypeError("network connection was lost");
    }
    return answer;
  }

  private pull(params: { cursor?: string; limit?: number }): Response {
    if (this.busyPulls > 0) {
      this.busyPulls -= 1;
      return json(503, { code: 503, status: "Service Unavailable", message: "The database is busy." });
    }
    const raw = params.cursor ?? "";
    const limit = params.limit ?? 500;
    const after = raw ? Number(raw.replace("c", "")) : 0;
    if (Number.isNaN(after)) return json(422, { errors: { json: { cursor: ["Not a cursor."] } } });
    if (raw && after < this.horizon) return json(410, { errors: { json: { cursor: ["Download it again."] } } });
    const page = this.changes.filter((change) => change.seq > after).slice(0, limit);
    const last = page.length ? page[page.length - 1].seq : after;
    return json(200, {
      protocol_version: 1,
      changes: page.map(({ entity }) =>
        entity.deleted
          ? { entity: entity.entity, id: entity.id, op: "delete" }
          : { entity: entity.entity, id: entity.id, op: "upsert", data: entity.data },
      ),
      cursor: `c${last}`,
      has_more: this.changes.some((change) => change.seq > last),
    });
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}
