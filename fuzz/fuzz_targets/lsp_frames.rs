#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    routelint::fuzz::lsp_frames(data);
});
