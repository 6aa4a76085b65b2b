package io.loadshift.vtn.platform.config;

import java.nio.file.Path;
import java.util.Optional;

/** HTTPS settings; absent when the server speaks plain HTTP. */
public record TlsConfig(Path certFile, Path keyFile, ClientAuthMode clientAuth, Optional<Path> clientCaFile) {}
