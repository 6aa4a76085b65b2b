package io.loadshift.vtn.platform.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A {@code postgresql://user:pass@host:port/db} URI taken apart once, so the reactive pool and JDBC
 * (Flyway) reach the same database.
 */
public record DbUri(String host, int port, String database, String user, String password, String query) {

  public static DbUri parse(String variable, String raw) {
    try {
      URI uri = new URI(raw);
      if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
        throw new ConfigException(variable, "must start with postgresql://, got '" + redact(raw) + "'");
      }
      String userInfo = uri.getRawUserInfo();
      if (uri.getHost() == null || userInfo == null || uri.getPath() == null || uri.getPath().length() < 2) {
        throw new ConfigException(variable, "must look like postgresql://user:pass@host:port/db, got '" + redact(raw) + "'");
      }
      int colon = userInfo.indexOf(':');
      String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      String pass = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
      int port = uri.getPort() < 0 ? 5432 : uri.getPort();
      return new DbUri(uri.getHost(), port, uri.getPath().substring(1), user, pass, uri.getRawQuery());
    } catch (URISyntaxException e) {
      throw new ConfigException(variable, "is not a valid URI: " + e.getReason());
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** The URI with its password hidden, for messages and logs. */
  public static String redact(String raw) {
    return raw.replaceAll("(://[^:@/]*:)[^@/]*@", "$1***@");
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database + (query == null ? "" : "?" + query);
  }

  public String reactiveUri() {
    return "postgresql://" + host + ":" + port + "/" + database + (query == null ? "" : "?" + query);
  }

  @Override
  public String toString() {
    return "postgresql://" + user + ":***@" + host + ":" + port + "/" + database;
  }
}
