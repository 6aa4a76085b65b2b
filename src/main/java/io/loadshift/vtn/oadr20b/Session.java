package io.loadshift.vtn.oadr20b;

import io.loadshift.vtn.party.VenViews;
import java.util.List;
import java.util.Map;

/**
 * What one registered 2.0b VEN's poll needs, in memory: its VEN record (name, client, certificate,
 * targets), its registration, the event set last sent to it, and whether messages may be queued
 * for it. Shared by the event loops; every field is replaced whole, never changed in place.
 */
final class Session {
  /** The VEN object as 2.0b needs it; {@code view} is what this VEN alone is targeted by. */
  record VenRecord(String venName, String clientId, String fingerprint, VenViews.View view,
                   Map<String, List<String>> resourceTargets) {}

  /**
   * An oadrCreatePartyRegistration accepted for the VEN; {@code registeredAt} tells one
   * registration from the next (null until stored).
   */
  record Registration(String registrationId, String oadrVenName, boolean httpPull, String transportAddress,
                      boolean xmlSignature, boolean reportOnly, java.time.Instant registeredAt) {}

  final String venId;
  volatile VenRecord ven;
  volatile Registration registration;
  /** Digest of the event set last sent ({@link EventSets#EMPTY} when none was). */
  volatile long sentDigest;
  /** True when messages may be waiting in the queue (false: certainly none, no query needed). */
  volatile boolean queued;
  /** Highest queue id announced for this VEN. */
  volatile long queueMark;
  /** The event set last computed for this VEN, reused while nothing it depends on changed. */
  volatile EventSets.Snapshot memo;

  Session(String venId, VenRecord ven, Registration registration, long sentDigest) {
    this.venId = venId;
    this.ven = ven;
    this.registration = registration;
    this.sentDigest = sentDigest;
  }
}
