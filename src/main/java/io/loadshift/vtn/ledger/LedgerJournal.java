package io.loadshift.vtn.ledger;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Append-only record of every transaction that entered the ledger (successful or tx_failed,
 * friendbot fundings included), one JSON object a line after a header line. Each append is
 * forced to disk before it returns. Replaying the entries in order rebuilds the ledger.
 */
final class LedgerJournal implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LedgerJournal.class.getName());
  private static final String FORMAT = "loadshift-local-ledger-journal";

  /** One transaction as it was applied: in ledger {@code ledger}, closed at {@code closeTime}. */
  record Entry(long ledger, long closeTime, long baseFee, String tx, boolean friendbot) {
    JsonObject toJson() {
      JsonObject j = new JsonObject()
          .put("ledger", ledger)
          .put("closeTime", closeTime)
          .put("baseFee", baseFee)
          .put("tx", tx);
      if (friendbot) {
        j.put("friendbot", true);
      }
      return j;
    }

    static Entry fromJson(JsonObject j) {
      return new Entry(
          j.getLong("ledger"),
          j.getLong("closeTime"),
          j.getLong("baseFee"),
          j.getString("tx"),
          j.getBoolean("friendbot", false));
    }
  }

  private final Path path;
  private final FileChannel channel;
  private final List<Entry> existing;

  private LedgerJournal(Path path, FileChannel channel, List<Entry> existing) {
    this.path = path;
    this.channel = channel;
    this.existing = existing;
  }

  /**
   * Opens (or creates) the journal of a ledger with this passphrase and base reserve; refuses one
   * written by a differently configured ledger. A last line cut short by a crash is dropped.
   */
  static LedgerJournal open(Path path, String networkPassphrase, long baseReserve) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      long size = ch.size();
      byte[] bytes = new byte[(int) Math.min(size, Integer.MAX_VALUE)];
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
        // read the whole file
      }
      int end = bytes.length;
      while (end > 0 && bytes[end - 1] != '\n') {
        end--;
      }
      if (end < bytes.length) {
        LOG.warning("journal " + path + ": dropping an incomplete last line of " + (bytes.length - end) + " bytes");
        ch.truncate(end);
      }
      List<Entry> entries = new ArrayList<>();
      String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
      String[] lines = text.isEmpty() ? new String[0] : text.split("\n");
      JsonObject header = null;
      for (int i = 0; i < lines.length; i++) {
        if (lines[i].isBlank()) {
          continue;
        }
        JsonObject j;
        try {
          j = new JsonObject(lines[i]);
        } catch (DecodeException e) {
          throw new IOException("journal " + path + " line " + (i + 1) + " is not JSON", e);
        }
        if (header == null) {
          header = j;
          if (!FORMAT.equals(j.getString("format"))) {
            throw new IOException("journal " + path + " is not a local ledger journal");
          }
          if (!networkPassphrase.equals(j.getString("networkPassphrase"))
              || baseReserve != j.getLong("baseReserve", -1L)) {
            throw new IOException("journal " + path + " belongs to a ledger with network passphrase \""
                + j.getString("networkPassphrase") + "\" and base reserve " + j.getLong("baseReserve")
                + "; this one has \"" + networkPassphrase + "\" and " + baseReserve);
          }
          continue;
        }
        entries.add(Entry.fromJson(j));
      }
      ch.position(ch.size());
      LedgerJournal journal = new LedgerJournal(path, ch, entries);
      if (header == null) {
        journal.write(new JsonObject()
            .put("format", FORMAT)
            .put("version", 1)
            .put("networkPassphrase", networkPassphrase)
            .put("baseReserve", baseReserve));
      }
      return journal;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  Path path() {
    return path;
  }

  /** The entries found when the journal was opened, in order. */
  List<Entry> existing() {
    return existing;
  }

  void append(Entry e) throws IOException {
    write(e.toJson());
  }

  private void write(JsonObject j) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap((j.encode() + "\n").getBytes(StandardCharsets.UTF_8));
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    channel.force(false);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
