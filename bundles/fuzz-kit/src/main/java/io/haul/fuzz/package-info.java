/**
 * Fuzzing Haul's decoders: each decoder of bytes from a peer or from disk is a {@link io.haul.fuzz.FuzzTarget}
 * (its generated inputs, its typed refusals, its allocation bound), run by a {@link io.haul.fuzz.BoundedRunner}
 * that measures what each input makes it allocate and bounds its time. The modules' unit tests run a few thousand
 * inputs per decoder through {@link io.haul.fuzz.FuzzAssertions}; {@code ./haul fuzz} runs a million each
 * through {@link io.haul.fuzz.FuzzCampaign}.
 */
package io.haul.fuzz;
