package io.loadshift.vtn.platform.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Gives every request an id: the caller's {@code X-Request-ID} when it is a sane token, else a fresh
 * one. The id is echoed in the response header, put in problem bodies and in log lines.
 */
public final class RequestIds implements Handler<RoutingContext> {
  public static final String HEADER = "X-Request-ID";
  private static final String KEY = "requestId";
  private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Logger ACCESS = Logger.getLogger("io.loadshift.vtn.access");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final boolean accessLog;

  public RequestIds(boolean accessLog) {
    this.accessLog = accessLog;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String given = ctx.request().getHeader(HEADER);
    String id = given != null && ACCEPTED.matcher(given).matches() ? given : fresh();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    if (accessLog) {
      long start = System.nanoTime();
      ctx.addEndHandler(v -> ACCESS.info(() -> String.format("req=%s %s %s %d %.1fms", id,
          ctx.request().method(), ctx.request().path(), ctx.response().getStatusCode(),
          (System.nanoTime() - start) / 1e6)));
    }
    ctx.next();
  }

  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }

  private static String fresh() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long a = r.nextLong();
    long b = r.nextLong();
    char[] out = new char[32];
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
      out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
    }
    return new String(out);
  }
}
