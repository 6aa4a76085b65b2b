package io.loadshift.vtn.oadr3;

import io.loadshift.vtn.der.DerAttributes;
import io.loadshift.vtn.der.Resource;
import io.loadshift.vtn.party.Ven;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Function;

/** OpenADR 3.1 object shapes, written from domain records. */
final class Oadr3Json {
  private Oadr3Json() {}

  static JsonObject ven(Ven v) {
    return new JsonObject()
        .put("id", v.id())
        .put("createdDateTime", time(v.createdAt()))
        .put("modificationDateTime", time(v.modifiedAt()))
        .put("objectType", "VEN")
        .put("venName", v.venName())
        .put("clientID", v.clientId())
        .put("targets", new JsonArray(v.targets()))
        .put("attributes", v.attributes());
  }

  static JsonObject resource(Resource r) {
    return new JsonObject()
        .put("id", r.id())
        .put("createdDateTime", time(r.createdAt()))
        .put("modificationDateTime", time(r.modifiedAt()))
        .put("objectType", "RESOURCE")
        .put("resourceName", r.resourceName())
        .put("venID", r.venId())
        .put("clientID", r.clientId())
        .put("targets", new JsonArray(r.targets()))
        .put("attributes", DerAttributes.write(r.spec(), r.status()));
  }

  static <T> JsonArray list(List<T> items, Function<T, JsonObject> each) {
    JsonArray out = new JsonArray();
    items.forEach(i -> out.add(each.apply(i)));
    return out;
  }

  static String time(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }
}
