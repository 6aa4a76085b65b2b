package io.loadshift.vtn.optimization;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks a finished plan against every constraint it must keep (power, availability, storage energy,
 * ramp, feeder and zone limits) and reports any breach as a warning. A correct planner never reports
 * one; the check keeps that claim honest.
 */
final class Check {
  private static final int MAX_REPORTED = 5;

  private Check() {}

  static void verify(Fleet f, long[][] p) {
    int n = f.n;
    List<String> problems = new ArrayList<>();
    long[][] load = new long[f.groups][n];
    for (int i = 0; i < f.size; i++) {
      long[] row = p[i];
      if (row == null) {
        continue;
      }
      boolean charges = f.charging && f.storage[i];
      long cum = 0;
      long prev = 0;
      for (int t = 0; t < n; t++) {
        long v = row[t];
        if (v != 0 && !f.available(i, t)) {
          problems.add(f.id[i] + " dispatched in interval " + t + " where it is unavailable");
        }
        if (v > f.cap[i] || v < (charges ? -f.cap[i] : 0)) {
          problems.add(f.id[i] + " outside its power bounds in interval " + t);
        }
        if (f.ramp[i] != Fleet.NONE && Math.abs(v - prev) > f.ramp[i]) {
          problems.add(f.id[i] + " exceeds its ramp limit in interval " + t);
        }
        cum += v;
        if (f.storage[i] && (cum > f.energyHi[i] || cum < (charges ? f.energyLo[i] : 0))) {
          problems.add(f.id[i] + " outside its energy bounds after interval " + t);
        }
        if (f.feeder[i] >= 0) {
          load[f.feeder[i]][t] += v;
        }
        if (f.zone[i] >= 0) {
          load[f.zone[i]][t] += v;
        }
        prev = v;
      }
      if (charges && cum < 0) {
        problems.add(f.id[i] + " ends the event with more energy than it started with");
      }
    }
    for (int g = 0; g < f.groups; g++) {
      for (int t = 0; t < n; t++) {
        if (load[g][t] > f.limit[g] || (f.charging && load[g][t] < -f.limit[g])) {
          problems.add((f.groupIsFeeder[g] ? "feeder " : "zone ") + f.groupName[g] + " outside its limit in interval "
              + t + " by " + Watts.kw(Math.abs(load[g][t]) - f.limit[g]) + " kW");
        }
      }
    }
    for (int k = 0; k < Math.min(MAX_REPORTED, problems.size()); k++) {
      f.warnings.add("plan check: " + problems.get(k));
    }
    if (problems.size() > MAX_REPORTED) {
      f.warnings.add("plan check: " + (problems.size() - MAX_REPORTED) + " more problems");
    }
  }
}
