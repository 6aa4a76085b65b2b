package io.loadshift.vtn.oadr3;

import io.loadshift.vtn.der.Resource;
import io.loadshift.vtn.party.Ven;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;

/** OpenADR 3.1 object shapes, written from domain records. */
final class Oadr3Json {
  private Oadr3Json() {}

  static JsonObject ven(Ven v) {
    return v.toJson();
  }

  static JsonObject resource(Resource r) {
    return r.toJson();
  }

  static <T> JsonArray list(List<T> items, Function<T, JsonObject> each) {
    JsonArray out = new JsonArray();
    items.forEach(i -> out.add(each.apply(i)));
    return out;
  }
}
