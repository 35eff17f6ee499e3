// The App's webhook as GitHub reports it to the App (JWT): its configuration and recent deliveries.
import { ApiError } from "../errors.js";
import type { RouteContext, Router } from "../router.js";
import type { WebhookDispatcher } from "../webhooks.js";

function requireApp(ctx: RouteContext): void {
  if (!ctx.asApp) throw new ApiError(401, "A JSON web token could not be decoded");
}

export function registerHookRoutes(router: Router, webhooks: WebhookDispatcher): void {
  router
    .on("GET", "/app/hook/config", (ctx) => {
      requireApp(ctx);
      return {
        status: 200,
        body: {
          content_type: "json",
          insecure_ssl: webhooks.insecureSsl,
          url: webhooks.reportedUrl ?? webhooks.url ?? "",
          secret: "********",
        },
      };
    })
    .on("GET", "/app/hook/deliveries", (ctx) => {
      requireApp(ctx);
      const perPage = Math.min(Number(ctx.query.get("per_page") ?? 30) || 30, 100);
      const newestFirst = [...webhooks.log].reverse().slice(0, perPage);
      return {
        status: 200,
        body: newestFirst.map((entry, index) => ({
          id: webhooks.log.length - index,
          guid: entry.deliveryId,
          delivered_at: entry.deliveredAt ?? new Date(0).toISOString(),
          redelivery: entry.redelivery,
          duration: entry.durationMs / 1000,
          status:
            entry.status === null
              ? "Connection refused"
              : entry.status < 400
                ? "OK"
                : "Invalid HTTP Response",
          status_code: entry.status ?? 0,
          event: entry.event,
          action: entry.action ?? null,
          installation_id: null,
          repository_id: null,
        })),
      };
    });
}
