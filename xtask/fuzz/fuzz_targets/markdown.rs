#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| matrix_uia_fuzz::markdown(data));
