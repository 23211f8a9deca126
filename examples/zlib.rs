//! The system zlib: `compress2` and `uncompress`, whose `uLongf *destLen`
//! is in/out (C reads the room it has and writes the length it used),
//! round-tripping a text.
//!
//! Run with `cargo run --example zlib` (needs libz.so.1).

use rctypes::{CType, Extent, Library, Value};

/// The room given to each output buffer: every call below passes this as
/// `*destLen`, which is what the declared extents rely on.
const ROOM: usize = 4096;
const Z_OK: i32 = 0;

fn main() -> Result<(), rctypes::Error> {
    // SAFETY: zlib's initialisers only set up its own state.
    let lib = unsafe { Library::open("libz.so.1") }.inspect_err(|_| {
        eprintln!("this example needs the system zlib (libz.so.1)");
    })?;
    let out = CType::pointer(CType::UByte).extent(Extent::Bytes(ROOM));
    let input = CType::const_pointer(CType::UByte).extent(Extent::BytesFromArg(4));
    let len = CType::pointer(CType::ULong);
    // SAFETY: zlib.h's prototypes: `int compress2(Bytef *dest, uLongf
    // *destLen, const Bytef *source, uLong sourceLen, int level)` and
    // `int uncompress(Bytef *dest, uLongf *destLen, const Bytef *source,
    // uLong sourceLen)`. Each reads sourceLen bytes of source, reads
    // *destLen (the room in dest) and writes at most that many bytes, then
    // writes the length used to *destLen: the calls here pass *destLen =
    // ROOM, the extent declared for dest.
    let (compress2, uncompress) = unsafe {
        (
            lib.function(
                "compress2",
                &[
                    out.clone(),
                    len.clone(),
                    input.clone(),
                    CType::ULong,
                    CType::Int,
                ],
                CType::Int,
            )?,
            lib.function("uncompress", &[out, len, input, CType::ULong], CType::Int)?,
        )
    };

    let text = "It was the best of times, it was the worst of times, \
                it was the age of wisdom, it was the age of foolishness, "
        .repeat(8);
    let mut packed = vec![0u8; ROOM];
    let mut packed_len = ROOM as u64;
    let rc = compress2.call(&[
        (&mut packed[..]).into(),
        Value::byref(&mut packed_len),
        text.as_bytes().into(),
        text.len().into(),
        9.into(),
    ])?;
    assert_eq!(rc.to::<i32>()?, Z_OK);
    println!("compressed {} bytes into {packed_len}", text.len());
    assert!((packed_len as usize) < text.len() / 4);

    let mut unpacked = vec![0u8; ROOM];
    let mut unpacked_len = ROOM as u64;
    let packed = &packed[..packed_len as usize];
    let rc = uncompress.call(&[
        (&mut unpacked[..]).into(),
        Value::byref(&mut unpacked_len),
        packed.into(),
        packed.len().into(),
    ])?;
    assert_eq!(rc.to::<i32>()?, Z_OK);
    println!(
        "uncompressed {} bytes back into {unpacked_len}",
        packed.len()
    );
    assert_eq!(&unpacked[..unpacked_len as usize], text.as_bytes());
    println!("round trip: equal");
    Ok(())
}
