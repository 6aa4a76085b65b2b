package io.loadshift.vtn.auth;

/** OpenADR 3.1 scope names, plus the VTN's own {@code admin} scope for client management. */
public final class Scopes {
  public static final String READ_ALL = "read_all";
  public static final String READ_BL = "read_bl";
  public static final String READ_TARGETS = "read_targets";
  public static final String READ_VEN_OBJECTS = "read_ven_objects";
  public static final String WRITE_PROGRAMS = "write_programs";
  public static final String WRITE_EVENTS = "write_events";
  public static final String WRITE_REPORTS = "write_reports";
  public static final String WRITE_SUBSCRIPTIONS = "write_subscriptions";
  public static final String WRITE_VENS = "write_vens";
  public static final String ADMIN = "admin";

  private Scopes() {}
}
