//! The cookbook's `sample.py`: an array of records passed to a C `struct*`
//! through an ndpointer with `flags='aligned, contiguous'`, where the
//! cookbook warns "be aware of padding issues!". Here the padding is a
//! checked fact: record data types, Rust structs and the C declaration are
//! compared before any call.

use rctypes::{CStruct, CType, DType, NdArray, StructLayout, c_struct, ndpointer};

c_struct! {
    /// sample.h's `Weather`: `{ int timestamp; char desc[12]; }`.
    #[derive(Debug)]
    struct Weather {
        timestamp: i32,
        desc: [u8; 12],
    }

    /// sample.h's `Padded`: `{ char c; double d; }`, with 7 bytes of padding.
    #[derive(Debug)]
    struct Padded {
        c: i8,
        d: f64,
    }
}

/// A description as the 12 bytes of `char desc[12]`.
fn desc(s: &str) -> [u8; 12] {
    let mut b = [0u8; 12];
    b[..s.len()].copy_from_slice(s.as_bytes());
    b
}

fn main() -> rctypes::Result<()> {
    // _sample = N.ctypeslib.load_library('libsample', '.')
    // SAFETY: the project's own libsample has no initialisers.
    let lib = unsafe { rctypes::load_library("sample", rctypes_csrc::DIR)? };

    // dat = [[1126877361,'sunny'], [1126877371,'rain'], [1126877385,'damn nasty'], [1126877387,'sunny']]
    // dat_dtype = N.dtype([('timestamp','i4'),('desc','|S12')])
    // arr = N.rec.fromrecords(dat, dtype=dat_dtype)
    let dat = [
        (1126877361, "sunny"),
        (1126877371, "rain"),
        (1126877385, "damn nasty"),
        (1126877387, "sunny"),
    ];
    let dat_dtype = DType::record(
        [
            ("timestamp", DType::parse("i4")?),
            ("desc", DType::parse("|S12")?),
        ],
        false,
    )?;
    let mut arr = NdArray::zeros(&dat_dtype, &[dat.len()])?;
    for (i, (timestamp, description)) in dat.iter().enumerate() {
        arr.set_field(&[i], "timestamp", *timestamp)?;
        arr.set_field(&[i], "desc", desc(description))?;
    }

    // The record is the struct sample.h declares (numpy compares records by
    // their fields' offsets and types, as here).
    let weather_c = StructLayout::builder("Weather")
        .field("timestamp", CType::Int)
        .field("desc", CType::array(CType::Char, 12))
        .build()?;
    assert_eq!(weather_c.dtype()?, dat_dtype);
    println!("{weather_c}");

    // _sample.print_weather.restype = None
    // _sample.print_weather.argtypes = [N.ctypeslib.ndpointer(dat_dtype, flags='aligned, contiguous'), C.c_int]
    let records = ndpointer().dtype(&dat_dtype).flags("aligned, contiguous");
    // SAFETY: sample.c's functions read `nelems` records; print_weather
    // takes `Weather *`, sum_timestamps `const Weather *`.
    let (print_weather, sum_timestamps) = unsafe {
        (
            lib.function(
                "print_weather",
                &[records.clone().build()?.into(), CType::Int],
                CType::Void,
            )?,
            lib.function(
                "sum_timestamps",
                &[records.read_only().build()?.into(), CType::Int],
                CType::LongLong,
            )?,
        )
    };
    // print_weather(arr)
    let n = arr.len() as i32;
    let () = print_weather.invoke((&mut arr, n))?;
    // The checkable sibling.
    let total: i64 = sum_timestamps.invoke((&arr, n))?;
    assert_eq!(total, dat.iter().map(|(t, _)| *t as i64).sum::<i64>());
    println!("sum of timestamps: {total}");

    // The same records as a Rust array of the c_struct type: its record
    // data type is the seed's, so the same ndpointer takes it.
    let rust: ndarray::Array1<Weather> = dat
        .iter()
        .map(|(timestamp, d)| Weather {
            timestamp: *timestamp,
            desc: desc(d),
        })
        .collect();
    assert_eq!(sum_timestamps.invoke::<i64>((&rust, n))?, total);
    Weather::check_against(&weather_c)?;
    println!("record 2 by name: {:?}", rust[2].field("timestamp")?);

    // {char c; double d;}: C pads `d` to offset 8.
    let padded_c = StructLayout::builder("Padded")
        .field("c", CType::Byte)
        .field("d", CType::Double)
        .build()?;
    Padded::check_against(&padded_c)?;
    let fields = [("c", DType::parse("i1")?), ("d", DType::parse("f8")?)];
    let aligned = DType::record(fields.clone(), true)?;
    let unaligned = DType::record(fields, false)?;
    // SAFETY: sample.c: `double sum_padded(const Padded *p, int nelems)`.
    let sum_padded = unsafe {
        lib.function(
            "sum_padded",
            &[
                ndpointer()
                    .dtype(&padded_c)
                    .flags("aligned, contiguous")
                    .read_only()
                    .build()?
                    .into(),
                CType::Int,
            ],
            CType::Double,
        )?
    };
    let fill = |dtype: &DType| -> rctypes::Result<NdArray> {
        let mut a = NdArray::zeros(dtype, &[2])?;
        a.set_field(&[0], "c", 1i8)?;
        a.set_field(&[0], "d", 0.5f64)?;
        a.set_field(&[1], "c", 2i8)?;
        a.set_field(&[1], "d", 0.25f64)?;
        Ok(a)
    };
    // align=True: C's layout, and C sums what was written.
    let right = fill(&aligned)?;
    let sum: f64 = sum_padded.invoke((&right, 2))?;
    assert_eq!(sum, 3.75);
    println!("align=True:  {} -> sum_padded = {sum}", right.dtype());
    // Without align the doubles sit at offset 1: refused before C reads them.
    let wrong = fill(&unaligned)?;
    let refused = sum_padded.invoke::<f64>((&wrong, 2)).unwrap_err();
    println!("align=False: {} -> refused: {refused}", wrong.dtype());
    let why = StructLayout::from_dtype("Padded", &unaligned)?
        .check_against(&padded_c)
        .unwrap_err();
    println!("             {why}");

    // The layouts, read from sample.h itself by the C declaration parser.
    let header = rctypes::Header::read(concat!(env!("CARGO_MANIFEST_DIR"), "/csrc/sample.h"), &[])?;
    let from_header = |tag: &str| header.declarations.layout(tag).cloned();
    Weather::check_against(&from_header("Weather_t").expect("sample.h defines Weather_t"))?;
    Padded::check_against(&from_header("Padded_t").expect("sample.h defines Padded_t"))?;
    println!("sample.h agrees with the Rust structs");
    Ok(())
}
