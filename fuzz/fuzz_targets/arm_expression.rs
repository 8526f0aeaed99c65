#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    routelint::fuzz::arm_expression(data);
});
