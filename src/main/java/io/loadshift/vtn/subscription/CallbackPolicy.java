package io.loadshift.vtn.subscription;

import io.loadshift.vtn.platform.http.Problem;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;

/**
 * Which callback URLs the VTN will call. Only http(s) (https only, unless configured otherwise, as
 * OpenADR 3.1 asks), no user info, and by default no host that resolves to a loopback, private,
 * link-local, unique-local, multicast or unspecified address, so a subscriber cannot aim the VTN
 * at its own network (SSRF). Resolving blocks: call {@link #check} from a worker.
 */
public final class CallbackPolicy {
  private final boolean httpsOnly;
  private final boolean allowPrivate;

  /** Host name to addresses; the JDK's resolver in production, a fixed table in tests. */
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private final Resolver resolver;

  public CallbackPolicy(boolean httpsOnly, boolean allowPrivate) {
    this(httpsOnly, allowPrivate, InetAddress::getAllByName);
  }

  public CallbackPolicy(boolean httpsOnly, boolean allowPrivate, Resolver resolver) {
    this.httpsOnly = httpsOnly;
    this.allowPrivate = allowPrivate;
    this.resolver = resolver;
  }

  /**
   * The address a delivery to {@code host} connects to, checked now: the first one it resolves to,
   * and none may be internal unless allowed. Deliveries connect to exactly this address (not to a
   * second lookup), so a name that resolves to a public address when checked and to an internal one
   * a moment later (DNS rebinding) cannot steer a webhook inside. Blocking.
   */
  public InetAddress deliveryAddress(String host) throws UnknownHostException {
    InetAddress[] addresses = resolver.resolve(host);
    if (addresses.length == 0) {
      throw new UnknownHostException(host);
    }
    if (!allowPrivate) {
      for (InetAddress a : addresses) {
        if (internal(a)) {
          throw new UnknownHostException(host + " now resolves to an internal address (" + a.getHostAddress()
              + "); not delivered");
        }
      }
    }
    return addresses[0];
  }

  /** Checks the form of the URL (no I/O); throws a 400 problem saying what is wrong. */
  public URI parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw Problem.validation("callbackUrl '" + url + "' is not a URL: " + e.getReason() + ".");
    }
    String scheme = uri.getScheme();
    if (!"https".equals(scheme) && !"http".equals(scheme)) {
      throw Problem.validation("callbackUrl must be an http(s) URL, not '" + url + "'.");
    }
    if (httpsOnly && !"https".equals(scheme)) {
      throw Problem.validation("callbackUrl must use https.");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      throw Problem.validation("callbackUrl needs a host, and no user info or fragment.");
    }
    return uri;
  }

  /** Resolves the host and refuses internal addresses unless allowed. Blocking. */
  public void check(String url) {
    URI uri = parse(url);
    if (allowPrivate) {
      return;
    }
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(uri.getHost());
    } catch (UnknownHostException e) {
      throw Problem.validation("callbackUrl host '" + uri.getHost() + "' does not resolve.");
    }
    for (InetAddress a : addresses) {
      if (internal(a)) {
        throw Problem.validation("callbackUrl host '" + uri.getHost() + "' resolves to an internal address ("
            + a.getHostAddress() + "); the VTN only calls public addresses.");
      }
    }
  }

  static boolean internal(InetAddress a) {
    if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
        || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet6Address) {
      return (b[0] & 0xfe) == 0xfc; // fc00::/7 unique local
    }
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    return first == 0 || (first == 100 && second >= 64 && second < 128) // 100.64/10 carrier-grade NAT
        || (first == 169 && second == 254) || (first == 192 && second == 0 && (b[2] & 0xff) == 0)
        || first >= 240;
  }
}
