/**
 * Memory pages that travel content-addressed: {@link io.haul.pages.PageHash} and {@link io.haul.pages.PageHasher}
 * name a 4 KiB page by its content, {@link io.haul.pages.PageCodec} encodes one (zero flag, LZ4, raw), the
 * destination keeps them in a {@link io.haul.pages.PageStore}; pre-copy sends them as pushes
 * ({@link io.haul.pages.PagePushWriter}, {@link io.haul.pages.PagePushReader}) and the final dump's page images
 * as recipes ({@link io.haul.pages.PageRecipeWriter}, {@link io.haul.pages.PageRecipeReader}) that name the
 * pages the destination holds instead of sending them.
 */
@Export
@Version("1.2.0")
package io.haul.pages;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
