# Runtime image over the jar built by `./vtn build` (mvn -DskipTests package).
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY target/loadshift-vtn.jar /app/loadshift-vtn.jar
# Where the local Stellar ledger (development mode) keeps its journal and the distribution secret.
RUN mkdir -p /var/lib/loadshift && chown 10001 /var/lib/loadshift
USER 10001
EXPOSE 8080
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/loadshift-vtn.jar"]
