package io.loadshift.vtn.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A webhook endpoint for tests: answers the OpenADR echo check, records every notification
 * POSTed to {@code /hooks/<name>} with its Authorization header, and can be told to fail.
 */
public final class WebhookReceiver implements AutoCloseable {
  /** One received notification. */
  public record Call(String path, String authorization, JsonObject body) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> failNext = new ConcurrentHashMap<>();
  private final Map<String, Boolean> failAlways = new ConcurrentHashMap<>();
  private final Map<String, Integer> failEvery = new ConcurrentHashMap<>();
  private final AtomicInteger attempts = new AtomicInteger();

  public WebhookReceiver() {
    server = vertx.createHttpServer().requestHandler(req -> {
      String echo = req.getParam("echo");
      if ("GET".equals(req.method().name()) && echo != null) {
        req.response().end(echo);
        return;
      }
      req.body().onSuccess(body -> {
        String path = req.path();
        int n = attempts.incrementAndGet();
        AtomicInteger left = failNext.get(path);
        Integer every = failEvery.get(path);
        if (Boolean.TRUE.equals(failAlways.get(path)) || (left != null && left.getAndDecrement() > 0)
            || (every != null && n % every == 0)) {
          req.response().setStatusCode(503).end();
          return;
        }
        calls.add(new Call(path, req.getHeader("Authorization"), body.toJsonObject()));
        req.response().setStatusCode(200).end();
      });
    });
    TestVtn.await(server.listen(0, "127.0.0.1"));
  }

  public String url(String name) {
    return "http://127.0.0.1:" + server.actualPort() + "/hooks/" + name;
  }

  public List<Call> calls(String name) {
    return calls.stream().filter(c -> c.path().equals("/hooks/" + name)).toList();
  }

  public void failNext(String name, int times) {
    failNext.put("/hooks/" + name, new AtomicInteger(times));
  }

  public void failAlways(String name, boolean fail) {
    failAlways.put("/hooks/" + name, fail);
  }

  /** Fails one attempt in {@code n} (counted over all attempts to this receiver). */
  public void failOneIn(String name, int n) {
    failEvery.put("/hooks/" + name, n);
  }

  /** Waits up to the timeout for the condition. */
  public static void eventually(BooleanSupplier condition, long timeoutMs, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    TestVtn.await(vertx.close());
  }
}
